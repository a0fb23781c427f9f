// FleetProjection: persistence. Keys of the "fleet" key space
// (docs/projections.md):
//   a BE32(agent)              agent record
//   c BE32(fingerprint)        certificate
//   f|g|s BE32(id)             interned fingerprint | gateway | site text
//   n BE32(rollout) BE32(agent) the certificate a renewal recorded for an agent
//   r BE32(rollout)            rollout record (frozen counters once ended)
//   t BE32(rollout) BE32(agent) a listed target of a renewal
//   z                          last sequence and latest recorded_at
// Every key is only ever overwritten, never deleted, so writing a changed
// entry again is always correct. Counters of active rollouts, holder counts,
// the stale list and inventory sets are derived and rebuilt on Load.
#include <algorithm>

#include "projections/encoding.h"
#include "projections/fleet_projection.h"

namespace rotor::projections {
namespace {

std::string Key(char tag, uint32_t id) {
  std::string key(1, tag);
  PutBigEndian32(&key, id);
  return key;
}

std::string Key(char tag, uint32_t a, uint32_t b) {
  std::string key = Key(tag, a);
  PutBigEndian32(&key, b);
  return key;
}

Status Bad(std::string_view key) {
  std::string printable;
  for (char c : key) printable += (c >= 0x20 && c < 0x7f) ? c : '.';
  return Status::Corruption("fleet projection: entry '" + printable + "' does not decode");
}

// Loads the strings stored under `tag` into `names` (whose id 0 is "").
Status LoadStrings(const KvReader& in, char tag, StringInterner* names) {
  Status bad;
  Status s = in.Scan(std::string(1, tag), [&](std::string_view key, std::string_view value) {
    if (key.size() != 5 || GetBigEndian32(key.substr(1)) != names->size() ||
        names->Intern(value) != names->size() - 1) {
      bad = Bad(key);
      return false;
    }
    return true;
  });
  ROTOR_RETURN_IF_ERROR(s);
  return bad;
}

}  // namespace

void FleetProjection::WriteAgent(KvWriter& out, uint32_t a) const {
  const AgentRecord& agent = agents_[a];
  std::string v;
  PutBytes(&v, agent_ids_.Get(a));
  PutVarint(&v, agent.flags & ~kDirty);
  PutSigned(&v, agent.last_report);
  PutVarint(&v, agent.gateway);
  PutVarint(&v, agent.site);
  std::span<const uint32_t> fps = sets_.Get(agent.inventory);
  PutVarint(&v, fps.size());
  for (uint32_t f : fps) PutVarint(&v, f);
  if ((agent.flags & kStale) != 0) PutSigned(&v, stale_.at(a));
  out.Put(Key('a', a), v);
}

void FleetProjection::WriteRollout(KvWriter& out, uint32_t r) const {
  std::string v;
  rollouts_[r].Encode(&v);
  out.Put(Key('r', r), v);
}

void FleetProjection::WriteCert(KvWriter& out, uint32_t f, const CertInfo& cert) const {
  std::string v;
  PutVarint(&v, static_cast<uint64_t>(cert.kind));
  PutBytes(&v, cert.subject);
  PutBytes(&v, cert.issuer);
  PutBytes(&v, cert.serial_hex);
  PutSigned(&v, cert.not_before);
  PutSigned(&v, cert.not_after);
  PutBytes(&v, cert.agent_id);
  PutVarint(&v, (cert.revoked ? 1 : 0) | (cert.registered ? 2 : 0));
  out.Put(Key('c', f), v);
}

void FleetProjection::WriteStrings(KvWriter& out) {
  auto write = [&](char tag, const StringInterner& names, size_t* written) {
    for (size_t id = std::max<size_t>(*written, 1); id < names.size(); ++id) {
      out.Put(Key(tag, static_cast<uint32_t>(id)), names.Get(static_cast<uint32_t>(id)));
    }
    *written = names.size();
  };
  write('f', fingerprints_, &written_fingerprints_);
  write('g', gateways_, &written_gateways_);
  write('s', sites_, &written_sites_);
}

void FleetProjection::WriteMeta(KvWriter& out) const {
  std::string v;
  PutVarint(&v, last_sequence_);
  PutSigned(&v, latest_micros_);
  out.Put("z", v);
}

void FleetProjection::WriteChanges(KvWriter& out) {
  if (!track_) return WriteAll(out);
  WriteStrings(out);
  for (uint32_t a : dirty_agents_) {
    agents_[a].flags &= static_cast<uint8_t>(~kDirty);
    WriteAgent(out, a);
  }
  for (uint32_t r : dirty_rollouts_) {
    dirty_rollout_flags_[r] = 0;
    WriteRollout(out, r);
  }
  for (uint32_t f : dirty_certs_) {
    CertInfo& cert = certs_.at(f);
    cert.dirty = false;
    WriteCert(out, f, cert);
  }
  for (const auto& [r, a] : dirty_renewed_) {
    std::string v;
    PutVarint(&v, rollouts_[r].renewed.at(a));
    out.Put(Key('n', r, a), v);
  }
  for (uint32_t r : dirty_targets_) {
    for (uint32_t a : rollouts_[r].targets) out.Put(Key('t', r, a), "");
  }
  WriteMeta(out);
  dirty_agents_.clear();
  dirty_rollouts_.clear();
  dirty_certs_.clear();
  dirty_renewed_.clear();
  dirty_targets_.clear();
}

void FleetProjection::WriteAll(KvWriter& out) {
  written_fingerprints_ = written_gateways_ = written_sites_ = 0;
  WriteStrings(out);
  for (uint32_t a = 0; a < agents_.size(); ++a) {
    agents_[a].flags &= static_cast<uint8_t>(~kDirty);
    WriteAgent(out, a);
  }
  for (uint32_t r = 0; r < rollouts_.size(); ++r) {
    WriteRollout(out, r);
    for (const auto& [a, f] : rollouts_[r].renewed) {
      std::string v;
      PutVarint(&v, f);
      out.Put(Key('n', r, a), v);
    }
    for (uint32_t a : rollouts_[r].targets) out.Put(Key('t', r, a), "");
  }
  for (auto& [f, cert] : certs_) {
    cert.dirty = false;
    WriteCert(out, f, cert);
  }
  WriteMeta(out);
  dirty_agents_.clear();
  dirty_rollouts_.clear();
  dirty_rollout_flags_.assign(rollouts_.size(), 0);
  dirty_certs_.clear();
  dirty_renewed_.clear();
  dirty_targets_.clear();
}

Status FleetProjection::Load(const KvReader& in) {
  bool track = track_;
  Clear();
  track_ = false;
  Status bad;
  ROTOR_RETURN_IF_ERROR(LoadStrings(in, 'f', &fingerprints_));
  ROTOR_RETURN_IF_ERROR(LoadStrings(in, 'g', &gateways_));
  ROTOR_RETURN_IF_ERROR(LoadStrings(in, 's', &sites_));
  holders_.assign(fingerprints_.size(), 0);
  auto fail = [&](std::string_view key) {
    bad = Bad(key);
    return false;
  };
  ROTOR_RETURN_IF_ERROR(in.Scan("a", [&](std::string_view key, std::string_view value) {
    Reader r(value);
    std::string id;
    uint64_t flags = 0, n = 0;
    AgentRecord agent;
    if (key.size() != 5 || GetBigEndian32(key.substr(1)) != agents_.size() || !r.Bytes(&id) ||
        !r.Varint(&flags) || flags >= kDirty || !r.Signed(&agent.last_report) ||
        !r.Varint32(&agent.gateway) || agent.gateway >= gateways_.size() ||
        !r.Varint32(&agent.site) || agent.site >= sites_.size() || !r.Varint(&n) ||
        n > fingerprints_.size() || agent_ids_.Intern(id) != agents_.size()) {
      return fail(key);
    }
    agent.flags = static_cast<uint8_t>(flags);
    fps_.resize(n);
    for (uint32_t& f : fps_) {
      if (!r.Varint32(&f) || f == 0 || f >= fingerprints_.size()) return fail(key);
    }
    if (!std::is_sorted(fps_.begin(), fps_.end()) ||
        std::adjacent_find(fps_.begin(), fps_.end()) != fps_.end()) {
      return fail(key);
    }
    agent.inventory = sets_.Acquire(fps_);
    if ((agent.flags & kStale) != 0 && !r.Signed(&stale_[static_cast<uint32_t>(agents_.size())])) {
      return fail(key);
    }
    if (!r.done()) return fail(key);
    agents_.push_back(agent);
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(bad);
  ROTOR_RETURN_IF_ERROR(in.Scan("c", [&](std::string_view key, std::string_view value) {
    Reader r(value);
    CertInfo cert;
    uint64_t kind = 0, flags = 0;
    uint32_t f = key.size() == 5 ? GetBigEndian32(key.substr(1)) : 0;
    if (f == 0 || f >= fingerprints_.size() || !r.Varint(&kind) || kind > 4 ||
        !r.Bytes(&cert.subject) || !r.Bytes(&cert.issuer) || !r.Bytes(&cert.serial_hex) ||
        !r.Signed(&cert.not_before) || !r.Signed(&cert.not_after) || !r.Bytes(&cert.agent_id) ||
        !r.Varint(&flags) || flags > 3 || !r.done()) {
      return fail(key);
    }
    cert.kind = static_cast<CertificateKind>(kind);
    cert.revoked = (flags & 1) != 0;
    cert.registered = (flags & 2) != 0;
    certs_[f] = std::move(cert);
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(bad);
  ROTOR_RETURN_IF_ERROR(in.Scan("r", [&](std::string_view key, std::string_view value) {
    RolloutState rollout;
    if (key.size() != 5 || GetBigEndian32(key.substr(1)) != rollouts_.size() ||
        !rollout.Decode(value) || rollout.old_fp >= fingerprints_.size() ||
        rollout.new_fp >= fingerprints_.size() || rollout.id.empty() ||
        rollout_index_.contains(rollout.id) || rollout.by_gateway.size() > gateways_.size() ||
        rollout.by_site.size() > sites_.size()) {
      return fail(key);
    }
    for (const auto& [gateway, step] : rollout.pending) {
      if (gateway >= gateways_.size()) return fail(key);
    }
    rollout_index_.emplace(rollout.id, static_cast<uint32_t>(rollouts_.size()));
    rollouts_.push_back(std::move(rollout));
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(bad);
  auto pair_key = [&](std::string_view key, uint32_t* r, uint32_t* a) {
    if (key.size() != 9) return false;
    *r = GetBigEndian32(key.substr(1));
    *a = GetBigEndian32(key.substr(5));
    return *r < rollouts_.size() && *a < agents_.size();
  };
  ROTOR_RETURN_IF_ERROR(in.Scan("t", [&](std::string_view key, std::string_view) {
    uint32_t r = 0, a = 0;
    if (!pair_key(key, &r, &a)) return fail(key);
    rollouts_[r].targets.insert(a);
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(bad);
  ROTOR_RETURN_IF_ERROR(in.Scan("n", [&](std::string_view key, std::string_view value) {
    uint32_t r = 0, a = 0, f = 0;
    Reader v(value);
    if (!pair_key(key, &r, &a) || !v.Varint32(&f) || f >= fingerprints_.size() || !v.done()) {
      return fail(key);
    }
    rollouts_[r].renewed[a] = f;
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(bad);
  ROTOR_RETURN_IF_ERROR(in.Scan("z", [&](std::string_view key, std::string_view value) {
    Reader r(value);
    if (key != "z" || !r.Varint(&last_sequence_) || !r.Signed(&latest_micros_) || !r.done()) {
      return fail(key);
    }
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(bad);
  RebuildDerived();
  written_fingerprints_ = fingerprints_.size();
  written_gateways_ = gateways_.size();
  written_sites_ = sites_.size();
  dirty_rollout_flags_.assign(rollouts_.size(), 0);
  track_ = track;
  return Status::Ok();
}

void FleetProjection::RebuildDerived() {
  live_agents_ = 0;
  for (const AgentRecord& agent : agents_) {
    if (!Live(agent)) continue;
    ++live_agents_;
    for (uint32_t f : sets_.Get(agent.inventory)) ++holders_[f];
  }
  active_.clear();
  for (uint32_t r = 0; r < rollouts_.size(); ++r) {
    if (!rollouts_[r].active()) continue;
    active_.push_back(r);
    Recount(rollouts_[r]);
  }
}

size_t FleetProjection::MemoryBytes() const {
  size_t bytes = agent_ids_.MemoryBytes() + agents_.capacity() * sizeof(AgentRecord) +
                 fingerprints_.MemoryBytes() + gateways_.MemoryBytes() + sites_.MemoryBytes() +
                 sets_.MemoryBytes() + holders_.capacity() * sizeof(uint32_t) +
                 stale_.bucket_count() * sizeof(void*) + stale_.size() * 32 +
                 certs_.size() * (sizeof(CertInfo) + 32) +
                 rollouts_.capacity() * sizeof(RolloutState);
  for (const RolloutState& r : rollouts_) {
    bytes += (r.by_gateway.capacity() + r.by_site.capacity()) * sizeof(Tally) +
             (r.targets.size() + r.renewed.size()) * 32;
  }
  return bytes;
}

}  // namespace rotor::projections
