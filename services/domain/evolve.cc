// Evolve: folds each domain event into DomainState. See state.h.
#include <algorithm>

#include "services/domain/state.h"

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

AgentState& AgentOf(DomainState& s, const std::string& agent_id) { return s.agents[agent_id]; }

// One overload per event type; `meta` gives when and by whom.
struct Evolver {
  DomainState& s;
  const EventMeta& meta;

  void operator()(const CertificateRegistered& e) {
    CertificateState& c = s.certificates[e.fingerprint];
    c.fingerprint = e.fingerprint;
    c.kind = e.kind;
    c.subject = e.subject;
    c.issuer = e.issuer;
    c.serial_hex = e.serial_hex;
    c.not_before = e.not_before;
    c.not_after = e.not_after;
    c.key_algorithm = e.key_algorithm;
    c.agent_id = e.agent_id;
    s.fingerprints.Intern(e.fingerprint);
    if (!e.agent_id.empty()) {
      AgentState& a = AgentOf(s, e.agent_id);
      a.cem_fingerprint = e.fingerprint;
      a.cem_serial_hex = e.serial_hex;
    }
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
  }

  void operator()(const ReplacementFinalized& e) {
    RolloutState* r = MutableRollout(s, e.rollout_id);
    if (r == nullptr) return;
    r->phase = RolloutPhase::kFinalized;
    if (CertificateState* old = ReleaseOldCertificate(*r)) old->replaced_by_rollout_id = r->id;
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
    r.gateway_id = e.gateway_id;
    if (!e.gateway_id.empty()) s.gateways.try_emplace(e.gateway_id);
  }

  void operator()(const AgentCertificateRenewed& e) {
    AgentState& a = AgentOf(s, e.agent_id);
    FingerprintId id = s.fingerprints.Intern(e.new_fingerprint);
    a.cem_fingerprint = e.new_fingerprint;
    a.cem_serial_hex = e.serial_hex;
    // Progress counts it only for a renewal initiated before (as the projection does).
    const RolloutState* r = MutableRollout(s, e.rollout_id);
    if (r == nullptr || r->type != RolloutKind::kRenewal) return;
    auto it = std::find_if(a.renewals.begin(), a.renewals.end(),
                           [&](const auto& p) { return p.first == e.rollout_id; });
    if (it == a.renewals.end()) {
      a.renewals.emplace_back(e.rollout_id, id);
    } else {
      it->second = id;
    }
  }

  void operator()(const CertificateRevoked& e) {
    // Without an agent id (another tool's log), the registered certificate names its agent.
    const std::string& agent_id =
        e.agent_id.empty() ? AgentOfCertificate(e.fingerprint) : e.agent_id;
    if (agent_id.empty()) return;
    AgentState& a = AgentOf(s, agent_id);
    a.revoked = true;
    a.revoke_reason = e.reason_code;
    a.revoked_at = e.revoked_at;
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
    AgentState& a = AgentOf(s, e.agent_id);
    // Pipelines deliver out of order: an older report never overwrites a newer
    // one, unless the decider found the newer one dated in the future.
    if (a.has_report && e.reported_at <= a.last_report_at && !e.supersedes_future_report) return;
    a.inventory.clear();
    for (const std::string& fp : e.certificate_fingerprints) {
      a.inventory.push_back(s.fingerprints.Intern(fp));
    }
    std::sort(a.inventory.begin(), a.inventory.end());
    a.inventory.erase(std::unique(a.inventory.begin(), a.inventory.end()), a.inventory.end());
    a.has_report = true;
    a.last_report_at = e.reported_at;
    a.last_report_recorded_at = meta.recorded_at;
    a.last_report_id = e.report_id;
    a.gateway_id = e.gateway_id;
    a.site = e.site;
    a.cloud_enabled = e.cloud_enabled;
    a.stale = false;    // it communicates again
    a.deleted = false;  // an agent that reports again is back
    if (!e.gateway_id.empty()) s.gateways.try_emplace(e.gateway_id);
  }

  void operator()(const AgentReportRejected& e) {
    AgentOf(s, e.agent_id).rejected_report_ids.push_back(e.report_id);
  }

  void operator()(const AgentFlaggedStale& e) {
    AgentState& a = AgentOf(s, e.agent_id);
    // A deleted agent is not flagged; a flag computed before a newer report is stale news.
    if (a.deleted || (a.has_report && e.last_report_at < a.last_report_at)) return;
    a.stale = true;
  }

  void operator()(const AgentStaleCleared& e) { AgentOf(s, e.agent_id).stale = false; }

  // A refusal changed nothing (its stream's version moved, above).
  void operator()(const CommandRefused&) {}

  void operator()(const AgentResourceDeleted& e) {
    AgentState& a = AgentOf(s, e.agent_id);
    a.deleted = true;
    a.stale = false;
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
  if (!meta.stream_id.empty()) {
    uint64_t& version = state.stream_versions[std::string(meta.stream_id)];
    if (meta.stream_version > version) version = meta.stream_version;
  }
  std::visit(Evolver{state, meta}, event);
}

}  // namespace rotor::domain
