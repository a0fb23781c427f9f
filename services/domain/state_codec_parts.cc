// The agents, certificates and rollouts of a state snapshot. See state_codec.h.
#include <algorithm>
#include <unordered_map>

#include "services/domain/state_codec_io.h"

namespace rotor::domain::state_codec {
namespace {

uint8_t Flags(const AgentState& a) {
  return static_cast<uint8_t>(a.known | a.has_report << 1 | a.cloud_enabled << 2 | a.stale << 3 |
                              a.deleted << 4 | a.revoked << 5);
}

void SetFlags(AgentState& a, uint64_t f) {
  a.known = (f & 1) != 0;
  a.has_report = (f & 2) != 0;
  a.cloud_enabled = (f & 4) != 0;
  a.stale = (f & 8) != 0;
  a.deleted = (f & 16) != 0;
  a.revoked = (f & 32) != 0;
}

// Side tables keyed by agent index: the index must name an agent of the
// range being decoded, [first, s.agents.size()).
uint32_t AgentIndex(Reader& r, const DomainState& s, size_t first, std::string_view what) {
  uint32_t index = r.U32(what);
  if (index < first || index >= s.agents.size()) r.Fail(what);
  return index;
}

// Calls f(index, value) for the entries of `table` (keyed by agent index) in
// [first, end): by lookup when the range is the smaller, else by a walk.
template <typename Map, typename F>
void ForEachInRange(const Map& table, uint32_t first, uint32_t end, F&& f) {
  if (table.empty()) return;
  if (end - first < table.size()) {
    for (uint32_t i = first; i < end; ++i) {
      auto it = table.find(i);
      if (it != table.end()) f(i, it->second);
    }
    return;
  }
  for (const auto& [index, value] : table) {
    if (index >= first && index < end) f(index, value);
  }
}

// Writes a count, then the items `f` writes (it returns how many).
template <typename F>
void Counted(Writer& w, F&& f) {
  Writer items;
  w.U(f(items));
  w.Append(items.Take());
}

}  // namespace

void EncodeAgents(Writer& w, const DomainState& s, uint32_t first, uint32_t end) {
  // Inventory sets by dense number, in order of first use.
  std::unordered_map<uint32_t, uint32_t> dense;
  std::vector<uint32_t> sets;
  for (uint32_t i = first; i < end; ++i) {
    uint32_t inventory = s.agents[i].inventory;
    if (dense.try_emplace(inventory, static_cast<uint32_t>(sets.size())).second) {
      sets.push_back(inventory);
    }
  }
  w.U(sets.size());
  for (uint32_t id : sets) {
    std::span<const uint32_t> fingerprints = s.inventories.Get(id);
    w.U(fingerprints.size());
    for (uint32_t fp : fingerprints) w.U(fp);
  }
  w.U(end - first);
  for (uint32_t i = first; i < end; ++i) {
    const AgentState& a = s.agents[i];
    w.T(a.last_report_at);
    w.T(a.last_report_recorded_at);
    w.U(a.stream_version);
    w.U(dense.at(a.inventory));
    w.Id(a.gateway);
    w.Id(a.site);
    w.Id(a.cem_fingerprint);
    w.U(Flags(a));
  }
  Counted(w, [&](Writer& items) {
    size_t n = 0;
    ForEachInRange(s.revocations, first, end, [&](uint32_t index, const Revocation& rev) {
      items.U(index);
      items.U(rev.reason);
      items.T(rev.revoked_at);
      ++n;
    });
    return n;
  });
  Counted(w, [&](Writer& items) {
    size_t n = 0;
    ForEachInRange(s.cem_serials, first, end, [&](uint32_t index, const std::string& serial) {
      items.U(index);
      items.S(serial);
      ++n;
    });
    return n;
  });
  Counted(w, [&](Writer& items) {
    size_t n = 0;
    ForEachInRange(s.rejected_reports, first, end,
                   [&](uint32_t index, const std::vector<std::string>& ids) {
                     items.U(index);
                     items.Strings(ids);
                     ++n;
                   });
    return n;
  });
}

void DecodeAgents(Reader& r, DomainState& s, size_t expected) {
  std::vector<std::vector<uint32_t>> sets(r.Count("inventory sets"));
  for (std::vector<uint32_t>& set : sets) {
    set.resize(r.Count("inventory set"));
    for (uint32_t& fp : set) {
      fp = r.U32("inventory fingerprint");
      if (fp >= s.fingerprints.size()) r.Fail("inventory fingerprint");
    }
    if (!std::is_sorted(set.begin(), set.end())) r.Fail("inventory set order");
  }
  size_t n = r.Count("agents");
  const size_t first = s.agents.size();
  if (n != expected || first + n > s.agent_ids.size()) r.Fail("agents (not one per agent id)");
  if (!r.ok()) return;
  s.agents.resize(first + n);
  for (size_t i = first; i < first + n; ++i) {
    AgentState& a = s.agents[i];
    a.last_report_at = r.T("agent report time");
    a.last_report_recorded_at = r.T("agent recorded time");
    uint64_t version = r.U("agent stream version");
    if (version > AgentState::kMaxStreamVersion) r.Fail("agent stream version");
    a.stream_version = version;
    uint64_t set = r.U("agent inventory");
    if (set >= sets.size()) r.Fail("agent inventory");
    if (!r.ok()) break;
    a.inventory = s.inventories.Acquire(sets[set]);
    a.gateway = r.Id(s.names.size(), "agent gateway");
    a.site = r.Id(s.names.size(), "agent site");
    a.cem_fingerprint = r.Id(s.fingerprints.size(), "agent CEM fingerprint");
    SetFlags(a, r.U("agent flags"));
  }
  size_t revocations = r.Count("revocations");
  for (size_t i = 0; i < revocations && r.ok(); ++i) {
    Revocation& rev = s.revocations[AgentIndex(r, s, first, "revocation agent")];
    rev.reason = r.U32("revocation reason");
    rev.revoked_at = r.T("revocation time");
  }
  size_t serials = r.Count("CEM serials");
  for (size_t i = 0; i < serials && r.ok(); ++i) {
    uint32_t index = AgentIndex(r, s, first, "CEM serial agent");
    s.cem_serials[index] = r.S("CEM serial");
  }
  size_t rejected = r.Count("rejected reports");
  for (size_t i = 0; i < rejected && r.ok(); ++i) {
    uint32_t index = AgentIndex(r, s, first, "rejected reports agent");
    s.rejected_reports[index] = r.Strings("rejected report ids");
  }
}

void EncodeCertificates(Writer& w, const DomainState& s) {
  w.U(s.certificates.size());
  for (const auto& [fp, c] : s.certificates) {
    w.S(c.fingerprint);
    w.U(static_cast<uint64_t>(c.kind));
    w.S(c.subject);
    w.S(c.issuer);
    w.S(c.serial_hex);
    w.T(c.not_before);
    w.T(c.not_after);
    w.S(c.key_algorithm);
    w.S(c.agent_id);
    w.S(c.active_rollout_id);
    w.S(c.replaced_by_rollout_id);
    w.U(c.replacements_initiated);
  }
}

void DecodeCertificates(Reader& r, DomainState& s) {
  size_t n = r.Count("certificates");
  for (size_t i = 0; i < n && r.ok(); ++i) {
    CertificateState c;
    c.fingerprint = r.S("certificate fingerprint");
    c.kind = r.Enum<CertificateKind>("certificate kind");
    c.subject = r.S("certificate subject");
    c.issuer = r.S("certificate issuer");
    c.serial_hex = r.S("certificate serial");
    c.not_before = r.T("certificate not before");
    c.not_after = r.T("certificate not after");
    c.key_algorithm = r.S("certificate key algorithm");
    c.agent_id = r.S("certificate agent");
    c.active_rollout_id = r.S("certificate active rollout");
    c.replaced_by_rollout_id = r.S("certificate replaced by");
    c.replacements_initiated = r.U32("certificate replacements");
    std::string key = c.fingerprint;
    s.certificates.emplace(std::move(key), std::move(c));
  }
}

void EncodeRollout(Writer& w, const RolloutState& r) {
  w.S(r.id);
  w.U(static_cast<uint64_t>(r.type));
  w.U(static_cast<uint64_t>(r.phase));
  w.T(r.initiated_at);
  w.S(r.initiated_by);
  w.S(r.old_fingerprint);
  w.S(r.new_fingerprint);
  w.U(static_cast<uint64_t>(r.kind));
  w.U(static_cast<uint64_t>(r.mode));
  w.U(r.required_staged_permille);
  w.Strings(r.staged_profiles);
  w.B(r.bindings_switched);
  w.U(static_cast<uint64_t>(r.target));
  w.S(r.renewed_fingerprint);
  w.Strings(r.agent_ids);
  w.U(r.targets.size());
  for (uint32_t t : r.targets) w.U(t);
  w.U(r.renewed.size());
  for (const auto& [index, fp] : r.renewed) {
    w.U(index);
    w.U(fp);
  }
  w.S(r.gateway_id);
  w.U(r.gateway_steps.size());
  for (const GatewayStep& step : r.gateway_steps) {
    w.S(step.gateway_id);
    w.U(static_cast<uint64_t>(step.step));
    w.B(step.performed);
    w.T(step.performed_at);
    w.S(step.performed_by);
  }
  w.B(r.tracked);
  const ProgressCounters& c = r.counters;
  for (uint64_t v : {c.total, c.received, c.stale, c.stale_outstanding, c.revoked, c.not_counted}) {
    w.U(v);
  }
  w.U(r.outstanding.size());
  for (uint64_t word : r.outstanding) w.Fixed64(word);
}

RolloutState DecodeRollout(Reader& r, const DomainState& s) {
  RolloutState o;
  o.id = r.S("rollout id");
  o.type = r.Enum<RolloutKind>("rollout type");
  o.phase = r.Enum<RolloutPhase>("rollout phase");
  o.initiated_at = r.T("rollout initiated at");
  o.initiated_by = r.S("rollout initiated by");
  o.old_fingerprint = r.S("rollout old fingerprint");
  o.new_fingerprint = r.S("rollout new fingerprint");
  o.kind = r.Enum<CertificateKind>("rollout certificate kind");
  o.mode = r.Enum<ReplacementMode>("rollout mode");
  o.required_staged_permille = r.U32("rollout staged share");
  o.staged_profiles = r.Strings("rollout staged profiles");
  o.bindings_switched = r.B("rollout bindings switched");
  o.target = r.Enum<RenewalTarget>("rollout renewal target");
  o.renewed_fingerprint = r.S("rollout renewed fingerprint");
  o.agent_ids = r.Strings("rollout agent ids");
  o.targets.resize(r.Count("rollout targets"));
  for (uint32_t& t : o.targets) t = AgentIndex(r, s, 0, "rollout target");
  size_t renewed = r.Count("rollout renewed");
  for (size_t i = 0; i < renewed && r.ok(); ++i) {
    uint32_t index = AgentIndex(r, s, 0, "rollout renewed agent");
    uint32_t fp = r.U32("rollout renewed fingerprint");
    if (fp >= s.fingerprints.size()) r.Fail("rollout renewed fingerprint");
    o.renewed[index] = fp;
  }
  o.gateway_id = r.S("rollout gateway");
  o.gateway_steps.resize(r.Count("rollout gateway steps"));
  for (GatewayStep& step : o.gateway_steps) {
    step.gateway_id = r.S("gateway step gateway");
    step.step = r.Enum<GatewayRefreshStep>("gateway step");
    step.performed = r.B("gateway step performed");
    step.performed_at = r.T("gateway step performed at");
    step.performed_by = r.S("gateway step performed by");
  }
  o.tracked = r.B("rollout tracked");
  ProgressCounters& c = o.counters;
  for (uint64_t* v :
       {&c.total, &c.received, &c.stale, &c.stale_outstanding, &c.revoked, &c.not_counted}) {
    *v = r.U("rollout counters");
  }
  o.outstanding.resize(r.Count("rollout outstanding"));
  for (uint64_t& word : o.outstanding) word = r.Fixed64("rollout outstanding");
  // Every outstanding bit names an agent; listed targets are sorted.
  size_t agents = s.agents.size();
  for (size_t word = agents / 64; word < o.outstanding.size(); ++word) {
    uint64_t allowed =
        word == agents / 64 && agents % 64 != 0 ? (uint64_t{1} << (agents % 64)) - 1 : 0;
    if ((o.outstanding[word] & ~allowed) != 0) r.Fail("rollout outstanding (an unknown agent)");
  }
  if (!std::is_sorted(o.targets.begin(), o.targets.end())) r.Fail("rollout targets order");
  // The targets are the listed agents' indices.
  if (o.targets.size() != o.agent_ids.size()) r.Fail("rollout targets (not one per agent id)");
  for (const std::string& id : o.agent_ids) {
    uint32_t index = s.agent_ids.Find(id);
    if (index == StringInterner::kNotFound ||
        !std::binary_search(o.targets.begin(), o.targets.end(), index)) {
      r.Fail("rollout targets (an agent id without its index)");
    }
  }
  return o;
}

}  // namespace rotor::domain::state_codec
