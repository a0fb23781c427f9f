// LoadFleet: the stored fleet state back into a FleetModel and FleetRollouts
// (fleet_codec.h). Every entry is checked against what was loaded before it
// (ids in order, references to known strings, agents and rollouts), so damaged
// state is refused with kCorruption naming the entry, never half-trusted.
// Kinds load in the order their references need: strings, agents,
// certificates, rollouts, targets, renewed certificates, meta.
#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "projections/encoding.h"
#include "projections/fleet_codec.h"
#include "projections/fleet_keys.h"

namespace rotor::projections {
namespace {

namespace keys = fleet_keys;

// At most this many agents are reserved for from a reader's hint (a damaged
// key cannot make Load allocate without bound; more agents still load).
constexpr size_t kMaxReservedAgents = size_t{1} << 24;

Status Bad(std::string_view key) {
  std::string printable;
  for (char c : key) printable += (c >= 0x20 && c < 0x7f) ? c : '.';
  return Status::Corruption("fleet projection: entry '" + printable + "' does not decode");
}

// Scans the entries of `kind`; `decode(key, value)` returns false for an
// entry that does not decode, which stops the scan with kCorruption naming it.
template <typename Decode>
Status ScanKind(const KvReader& in, char kind, Decode&& decode) {
  Status bad;
  ROTOR_RETURN_IF_ERROR(in.Scan(keys::Prefix(kind), [&](std::string_view k, std::string_view v) {
    if (decode(k, v)) return true;
    bad = Bad(k);
    return false;
  }));
  return bad;
}

// Interns the strings stored under `kind`, which must be ids 1, 2, 3, ...
// (id 0 is ""), with `intern` (returning the id given).
template <typename Intern>
Status LoadStrings(const KvReader& in, char kind, Intern&& intern) {
  uint32_t next = keys::kFirstStoredString;
  return ScanKind(in, kind, [&](std::string_view key, std::string_view value) {
    uint32_t id = 0;
    if (!keys::ParseIdKey(key, &id) || id != next || intern(value) != id) return false;
    ++next;
    return true;
  });
}

// One agent entry; `fps` is scratch, `hint` the last inventory set.
bool LoadAgent(std::string_view key, std::string_view value, FleetModel* model,
               std::vector<uint32_t>* fps, uint32_t* hint) {
  Reader r(value);
  std::string_view id;
  uint32_t index = 0;
  uint64_t flags = 0, n = 0;
  AgentRecord agent;
  const size_t fingerprints = model->fingerprints().size();
  if (!keys::ParseIdKey(key, &index) || index != model->agent_count() || !r.View(&id) ||
      !r.Varint(&flags) || (flags & ~uint64_t{kAgentFlags}) != 0 || !r.Signed(&agent.last_report) ||
      !r.Varint32(&agent.gateway) || agent.gateway >= model->gateways().size() ||
      !r.Varint32(&agent.site) || agent.site >= model->sites().size() || !r.Varint(&n) ||
      n >= fingerprints) {
    return false;
  }
  agent.flags = static_cast<uint8_t>(flags);
  fps->resize(n);
  uint32_t previous = 0;  // ids are ascending and never 0 (the empty string)
  for (uint32_t& f : *fps) {
    if (!r.Varint32(&f) || f <= previous || f >= fingerprints) return false;
    previous = f;
  }
  int64_t flagged_at = 0;
  if ((flags & kStale) != 0 && !r.Signed(&flagged_at)) return false;
  if (!r.done()) return false;
  uint32_t a = model->AddAgent(id, agent, *fps, *hint, flagged_at);
  if (a == StringInterner::kNotFound) return false;
  *hint = model->agent(a).inventory;
  return true;
}

bool LoadCertificate(std::string_view key, std::string_view value, FleetModel* model) {
  Reader r(value);
  CertificateRecord cert;
  uint64_t kind = 0, flags = 0;
  uint32_t f = 0;
  if (!keys::ParseIdKey(key, &f) || f == 0 || f >= model->fingerprints().size() ||
      !r.Varint(&kind) || kind > keys::kMaxCertificateKind || !r.Bytes(&cert.subject) ||
      !r.Bytes(&cert.issuer) || !r.Bytes(&cert.serial_hex) || !r.Signed(&cert.not_before) ||
      !r.Signed(&cert.not_after) || !r.Bytes(&cert.agent_id) || !r.Varint(&flags) ||
      (flags & ~keys::kCertificateFlags) != 0 || !r.done()) {
    return false;
  }
  cert.kind = static_cast<CertificateKind>(kind);
  cert.revoked = (flags & keys::kCertificateRevoked) != 0;
  cert.registered = (flags & keys::kCertificateRegistered) != 0;
  model->Certificate(f) = std::move(cert);
  return true;
}

bool LoadRollout(std::string_view key, std::string_view value, const FleetModel& model,
                 FleetRollouts* rollouts) {
  RolloutState rollout;
  uint32_t r = 0;
  if (!keys::ParseIdKey(key, &r) || r != rollouts->size() || !rollout.Decode(value) ||
      rollout.old_fp >= model.fingerprints().size() ||
      rollout.new_fp >= model.fingerprints().size() ||
      rollout.by_gateway.size() > model.gateways().size() ||
      rollout.by_site.size() > model.sites().size()) {
    return false;
  }
  for (const auto& [gateway, step] : rollout.pending) {
    if (gateway >= model.gateways().size()) return false;
  }
  return rollouts->Add(std::move(rollout));
}

// A (rollout, agent) key naming a loaded rollout and agent.
bool ParsePair(std::string_view key, const FleetModel& model, const FleetRollouts& rollouts,
               uint32_t* r, uint32_t* a) {
  return keys::ParsePairKey(key, r, a) && *r < rollouts.size() && *a < model.agent_count();
}

// Loads the agent entries of `in` in order (LoadAgent), with the index slot
// of each agent id prefetched kAhead entries before it is interned: a
// million ids are a table far larger than the caches, and an insert that
// waits for its slot is most of a load. The entries in flight are copied
// (their capacity is reused), as a reader's views last only one visit.
Status LoadAgents(const KvReader& in, FleetModel* model) {
  constexpr size_t kAhead = 16;
  std::array<std::pair<std::string, std::string>, kAhead> ring;
  std::vector<uint32_t> fps;
  uint32_t hint = 0;
  size_t seen = 0, loaded = 0;
  auto load_next = [&] {
    const auto& [key, value] = ring[loaded++ % kAhead];
    return LoadAgent(key, value, model, &fps, &hint) ? Status::Ok() : Bad(key);
  };
  Status bad;
  ROTOR_RETURN_IF_ERROR(
      in.Scan(keys::Prefix(keys::kAgent), [&](std::string_view k, std::string_view v) {
        if (seen - loaded == kAhead) bad = load_next();
        if (!bad.ok()) return false;
        auto& [key, value] = ring[seen++ % kAhead];
        key.assign(k);
        value.assign(v);
        Reader r(v);
        std::string_view id;
        if (r.View(&id)) model->PrefetchAgent(id, false);
        return true;
      }));
  while (bad.ok() && loaded < seen) bad = load_next();
  return bad;
}

// Pre-sizes `model` for the agents `in` holds, when it can tell.
void ReserveAgents(const KvReader& in, FleetModel* model) {
  uint32_t last = 0;
  if (keys::ParseIdKey(in.LastKey(keys::Prefix(keys::kAgent)), &last)) {
    model->Reserve(std::min<size_t>(size_t{last} + 1, kMaxReservedAgents));
  }
}

}  // namespace

Status LoadFleet(const KvReader& in, FleetModel* model, FleetRollouts* rollouts, FleetMeta* meta) {
  ROTOR_RETURN_IF_ERROR(LoadStrings(
      in, keys::kFingerprint, [&](std::string_view s) { return model->InternFingerprint(s); }));
  ROTOR_RETURN_IF_ERROR(
      LoadStrings(in, keys::kGateway, [&](std::string_view s) { return model->InternGateway(s); }));
  ROTOR_RETURN_IF_ERROR(
      LoadStrings(in, keys::kSite, [&](std::string_view s) { return model->InternSite(s); }));
  ReserveAgents(in, model);
  ROTOR_RETURN_IF_ERROR(LoadAgents(in, model));
  ROTOR_RETURN_IF_ERROR(ScanKind(
      in, keys::kCertificate,
      [&](std::string_view k, std::string_view v) { return LoadCertificate(k, v, model); }));
  ROTOR_RETURN_IF_ERROR(ScanKind(in, keys::kRollout, [&](std::string_view k, std::string_view v) {
    return LoadRollout(k, v, *model, rollouts);
  }));
  ROTOR_RETURN_IF_ERROR(ScanKind(in, keys::kTarget, [&](std::string_view k, std::string_view) {
    uint32_t r = 0, a = 0;
    if (!ParsePair(k, *model, *rollouts, &r, &a)) return false;
    rollouts->Mutable(r).targets.insert(a);
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(ScanKind(in, keys::kRenewed, [&](std::string_view k, std::string_view v) {
    uint32_t r = 0, a = 0, f = 0;
    Reader value(v);
    if (!ParsePair(k, *model, *rollouts, &r, &a) || !value.Varint32(&f) ||
        f >= model->fingerprints().size() || !value.done()) {
      return false;
    }
    rollouts->Mutable(r).renewed[a] = f;
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(
      ScanKind(in, keys::kMetaKey[0], [&](std::string_view k, std::string_view v) {
        Reader value(v);
        return k == keys::kMetaKey && value.Varint(&meta->last_sequence) &&
               value.Signed(&meta->latest_micros) && value.done();
      }));
  model->RebuildDerived();
  rollouts->Activate(*model);
  return Status::Ok();
}

}  // namespace rotor::projections
