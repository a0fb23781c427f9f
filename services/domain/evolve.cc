// Evolve: folds each domain event into DomainState. See state.h.
#include <algorithm>

#include "services/domain/progress.h"
#include "services/domain/state.h"
#include "services/domain/streams.h"

namespace rotor::domain {
namespace {

RolloutState* MutableRollout(DomainState& s, std::string_view id) {
  auto it = s.rollouts.find(id);
  return it == s.rollouts.end() ? nullptr : &it->second;
}

CertificateState* MutableCertificate(DomainState& s, std::string_view fingerprint) {
  auto it = s.certificates.find(fingerprint);
  return it == s.certificates.end() ? nullptr : &it->second;
}

// The index of `agent_id`, adding an unknown agent's record. Every change
// Evolve makes to an agent's record or side tables reaches it through here,
// so this is where the change is marked for a snapshot being encoded.
uint32_t IndexOf(DomainState& s, std::string_view agent_id) {
  uint32_t index = s.agent_ids.Intern(agent_id);
  if (index == s.agents.size()) s.agents.emplace_back();
  s.changed.Mark(index);
  return index;
}

// Applies `change` to the agent (made known), keeping tracked progress in step.
template <typename F>
void Change(DomainState& s, std::string_view agent_id, F&& change) {
  ChangeAgent(s, IndexOf(s, agent_id), [&](AgentState& a) {
    a.known = true;
    change(a);
  });
}

NameId NameOf(DomainState& s, std::string_view name) {
  return name.empty() ? kNoName : s.names.Intern(name);
}

// One overload per event type; `meta` gives when and by whom.
struct Evolver {
  DomainState& s;
  const EventMeta& meta;

  void operator()(const CertificateRegistered& e) {
    CertificateState& c = s.certificates[e.fingerprint];
    static_cast<CertificateFacts&>(c) = e;
    c.kind = e.kind;
    c.agent_id = e.agent_id;
    s.fingerprints.Intern(e.fingerprint);
    if (!e.agent_id.empty()) SetCemCertificate(e.agent_id, e.fingerprint, e.serial_hex);
  }

  void operator()(const ReplacementInitiated& e) {
    if (s.rollouts.contains(e.rollout_id)) return;  // a rollout is initiated once
    RolloutState& r = s.rollouts[e.rollout_id];
    r.id = e.rollout_id;
    r.type = RolloutKind::kReplacement;
    r.phase = RolloutPhase::kActive;
    r.initiated_at = meta.recorded_at;
    r.initiated_by = std::string(meta.actor);
    r.old_fingerprint = e.old_fingerprint;
    r.new_fingerprint = e.new_fingerprint;
    r.kind = e.kind;
    r.mode = e.mode;
    r.required_staged_permille = e.required_staged_permille;
    s.fingerprints.Intern(e.old_fingerprint);
    s.fingerprints.Intern(e.new_fingerprint);
    if (CertificateState* old = MutableCertificate(s, e.old_fingerprint)) {
      old->active_rollout_id = e.rollout_id;
      ++old->replacements_initiated;
    }
    UpdateTracking(s, e.rollout_id);
  }

  void operator()(const CertificateStaged& e) {
    RolloutState* r = MutableRollout(s, e.rollout_id);
    if (r == nullptr) return;
    auto& profiles = r->staged_profiles;
    if (std::find(profiles.begin(), profiles.end(), e.communication_profile) == profiles.end()) {
      profiles.push_back(e.communication_profile);
    }
  }

  void operator()(const BindingsSwitched& e) {
    if (RolloutState* r = MutableRollout(s, e.rollout_id)) r->bindings_switched = true;
  }

  void operator()(const ReplacementCancelled& e) {
    RolloutState* r = MutableRollout(s, e.rollout_id);
    if (r == nullptr) return;
    r->phase = RolloutPhase::kCancelled;
    ReleaseOldCertificate(*r);
    UpdateTracking(s, e.rollout_id);
  }

  void operator()(const ReplacementFinalized& e) {
    RolloutState* r = MutableRollout(s, e.rollout_id);
    if (r == nullptr) return;
    r->phase = RolloutPhase::kFinalized;
    if (CertificateState* old = ReleaseOldCertificate(*r)) old->replaced_by_rollout_id = r->id;
    UpdateTracking(s, e.rollout_id);
  }

  void operator()(const RenewalInitiated& e) {
    if (s.rollouts.contains(e.rollout_id)) return;  // a rollout is initiated once
    RolloutState& r = s.rollouts[e.rollout_id];
    r.id = e.rollout_id;
    r.type = RolloutKind::kRenewal;
    r.phase = RolloutPhase::kActive;
    r.initiated_at = meta.recorded_at;
    r.initiated_by = std::string(meta.actor);
    r.target = e.target;
    r.renewed_fingerprint = e.fingerprint;
    r.agent_ids = e.agent_ids;
    std::sort(r.agent_ids.begin(), r.agent_ids.end());
    r.agent_ids.erase(std::unique(r.agent_ids.begin(), r.agent_ids.end()), r.agent_ids.end());
    for (const std::string& id : r.agent_ids) r.targets.push_back(IndexOf(s, id));
    std::sort(r.targets.begin(), r.targets.end());
    r.gateway_id = e.gateway_id;
    if (!e.gateway_id.empty()) s.gateways.try_emplace(e.gateway_id);
    UpdateTracking(s, e.rollout_id);
  }

  void operator()(const AgentCertificateRenewed& e) {
    SetCemCertificate(e.agent_id, e.new_fingerprint, e.serial_hex);
    // Progress counts it only for a renewal initiated before (as the projection does).
    RolloutState* r = MutableRollout(s, e.rollout_id);
    if (r == nullptr || r->type != RolloutKind::kRenewal) return;
    FingerprintId id = s.fingerprints.Intern(e.new_fingerprint);
    uint32_t index = IndexOf(s, e.agent_id);
    ChangeAgent(s, index, [&](AgentState&) { r->renewed[index] = id; });
  }

  void operator()(const CertificateRevoked& e) {
    // Without an agent id (another tool's log), the registered certificate names its agent.
    const std::string& agent_id =
        e.agent_id.empty() ? AgentOfCertificate(e.fingerprint) : e.agent_id;
    if (agent_id.empty()) return;
    Change(s, agent_id, [&](AgentState& a) { a.revoked = true; });
    s.revocations[s.agent_ids.Find(agent_id)] = Revocation{e.reason_code, e.revoked_at};
  }

  void operator()(const GatewayAutoRefreshChanged& e) {
    GatewayState& g = s.gateways[e.gateway_id];
    g.auto_refresh = e.auto_refresh;
    g.setting_recorded = true;
  }

  void operator()(const GatewayRefreshRequired& e) {
    s.gateways.try_emplace(e.gateway_id);
    RolloutState* r = MutableRollout(s, e.rollout_id);
    if (r == nullptr) return;
    r->gateway_steps.push_back(GatewayStep{e.gateway_id, e.step, false, Time{}, {}});
  }

  void operator()(const GatewayRefreshPerformed& e) {
    RolloutState* r = MutableRollout(s, e.rollout_id);
    if (r == nullptr) return;
    for (GatewayStep& step : r->gateway_steps) {
      if (step.gateway_id == e.gateway_id && step.step == e.step && !step.performed) {
        step.performed = true;
        step.performed_at = e.performed_at;
        step.performed_by = e.performed_by;
      }
    }
  }

  void operator()(const AgentInventoryReported& e) {
    uint32_t index = IndexOf(s, e.agent_id);
    const AgentState& current = s.agents[index];
    // Pipelines deliver out of order: an older report never overwrites a newer
    // one, unless the decider found the newer one dated in the future.
    if (current.has_report && e.reported_at <= current.last_report_at &&
        !e.supersedes_future_report) {
      s.agents[index].known = true;  // not a progress fact
      return;
    }
    std::vector<uint32_t> inventory;
    inventory.reserve(e.certificate_fingerprints.size());
    for (const std::string& fp : e.certificate_fingerprints) {
      inventory.push_back(s.fingerprints.Intern(fp));
    }
    std::sort(inventory.begin(), inventory.end());
    inventory.erase(std::unique(inventory.begin(), inventory.end()), inventory.end());
    uint32_t previous = current.inventory;
    uint32_t set = s.inventories.Acquire(inventory, previous);
    NameId gateway = NameOf(s, e.gateway_id);
    NameId site = NameOf(s, e.site);
    ChangeAgent(s, index, [&](AgentState& a) {
      a.known = true;
      a.inventory = set;
      a.has_report = true;
      a.last_report_at = e.reported_at;
      a.last_report_recorded_at = meta.recorded_at;
      a.gateway = gateway;
      a.site = site;
      a.cloud_enabled = e.cloud_enabled;
      a.stale = false;    // it communicates again
      a.deleted = false;  // an agent that reports again is back
    });
    s.inventories.Release(previous);  // after the change: progress read the old set
    if (!e.gateway_id.empty()) s.gateways.try_emplace(e.gateway_id);
  }

  void operator()(const AgentReportRejected& e) {
    Change(s, e.agent_id, [](AgentState&) {});
    std::vector<std::string>& ids = s.rejected_reports[s.agent_ids.Find(e.agent_id)];
    if (ids.size() == kRememberedRejections) ids.erase(ids.begin());
    ids.push_back(e.report_id);
  }

  void operator()(const AgentFlaggedStale& e) {
    Change(s, e.agent_id, [&](AgentState& a) {
      // A deleted agent is not flagged; a flag computed before a newer report is stale news.
      if (a.deleted || (a.has_report && e.last_report_at < a.last_report_at)) return;
      a.stale = true;
    });
  }

  void operator()(const AgentStaleCleared& e) {
    Change(s, e.agent_id, [](AgentState& a) { a.stale = false; });
  }

  // A refusal changed nothing (its stream's version moved, above).
  void operator()(const CommandRefused&) {}

  void operator()(const AgentResourceDeleted& e) {
    Change(s, e.agent_id, [](AgentState& a) {
      a.deleted = true;
      a.stale = false;
    });
  }

  // The agent's current CEM certificate (not a progress fact).
  void SetCemCertificate(const std::string& agent_id, const std::string& fingerprint,
                         const std::string& serial_hex) {
    uint32_t index = IndexOf(s, agent_id);
    AgentState& a = s.agents[index];
    a.known = true;
    a.cem_fingerprint = s.fingerprints.Intern(fingerprint);
    if (serial_hex.empty()) {
      s.cem_serials.erase(index);
    } else {
      s.cem_serials[index] = serial_hex;
    }
  }

  // The agent a certificate was registered for; "" when none.
  const std::string& AgentOfCertificate(const std::string& fingerprint) {
    static const std::string kNone;
    const CertificateState* c = MutableCertificate(s, fingerprint);
    return c == nullptr ? kNone : c->agent_id;
  }

  // The replaced certificate no longer has an active replacement.
  CertificateState* ReleaseOldCertificate(const RolloutState& r) {
    CertificateState* old = MutableCertificate(s, r.old_fingerprint);
    if (old != nullptr && old->active_rollout_id == r.id) old->active_rollout_id.clear();
    return old;
  }
};

}  // namespace

void Evolve(DomainState& state, const EventMeta& meta, const Event& event) {
  if (meta.sequence > state.last_sequence) state.last_sequence = meta.sequence;
  if (std::optional<std::string_view> agent_id = AgentOfStream(meta.stream_id)) {
    AgentState& agent = state.agents[IndexOf(state, *agent_id)];
    if (meta.stream_version > agent.stream_version) {
      agent.stream_version = std::min(meta.stream_version, AgentState::kMaxStreamVersion);
    }
  } else if (!meta.stream_id.empty()) {
    auto it = state.stream_versions.find(meta.stream_id);
    if (it == state.stream_versions.end()) {
      it = state.stream_versions.emplace(std::string(meta.stream_id), 0).first;
    }
    if (meta.stream_version > it->second) it->second = meta.stream_version;
  }
  std::visit(Evolver{state, meta}, event);
}

}  // namespace rotor::domain
