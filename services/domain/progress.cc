#include "services/domain/progress.h"

#include <algorithm>

namespace rotor::domain {
namespace {

// The certificate whose presence means the agent has received its new one.
FingerprintId ReceivedCertificate(const DomainState& state, const RolloutState& rollout,
                                  const AgentState& agent) {
  if (rollout.type == RolloutType::kRenewal) return agent.RenewedIn(rollout.id);
  return state.fingerprints.Find(rollout.new_fingerprint);
}

void Count(const DomainState& state, const RolloutState& rollout, const std::string& agent_id,
           const AgentState& agent, bool list_outstanding, RolloutProgress& p) {
  ++p.total;
  bool received = agent.Holds(ReceivedCertificate(state, rollout, agent));
  if (received) ++p.received;
  if (agent.stale) ++p.stale;
  if (agent.revoked) ++p.revoked;
  if (!received && agent.stale) ++p.stale_outstanding;
  if (!received && list_outstanding) p.outstanding_agent_ids.push_back(agent_id);
}

}  // namespace

bool IsCounted(const DomainState& state, const RolloutState& rollout, std::string_view agent_id,
               const AgentState& agent) {
  if (agent.deleted) return false;
  if (rollout.type == RolloutType::kReplacement) {
    return agent.Holds(state.fingerprints.Find(rollout.old_fingerprint));
  }
  if (rollout.target != RenewalTarget::kCemAgentCertificates || agent.revoked) return false;
  if (rollout.agent_ids.empty()) return agent.has_report && agent.cloud_enabled;
  return std::binary_search(rollout.agent_ids.begin(), rollout.agent_ids.end(), agent_id);
}

RolloutProgress ComputeProgress(const DomainState& state, const RolloutState& rollout,
                                bool list_outstanding) {
  RolloutProgress p;
  if (rollout.type == RolloutType::kRenewal && !rollout.agent_ids.empty()) {
    // An explicit target list: look its agents up instead of scanning the fleet.
    for (const std::string& id : rollout.agent_ids) {
      const AgentState* agent = state.FindAgent(id);
      if (agent != nullptr && IsCounted(state, rollout, id, *agent)) {
        Count(state, rollout, id, *agent, list_outstanding, p);
      }
    }
    return p;
  }
  for (const auto& [id, agent] : state.agents) {
    if (IsCounted(state, rollout, id, agent)) Count(state, rollout, id, agent, list_outstanding, p);
  }
  return p;
}

bool IsActive(const DomainState& state, const RolloutState& rollout) {
  if (rollout.type == RolloutType::kReplacement) return rollout.phase == RolloutPhase::kActive;
  if (rollout.phase != RolloutPhase::kActive) return false;
  if (rollout.target == RenewalTarget::kGatewayReportingCertificate) {
    return rollout.HasPendingStep(GatewayRefreshStep::kAfterInitiate);
  }
  return ComputeProgress(state, rollout).Outstanding() > 0;
}

std::string RolloutStatusText(const DomainState& state, const RolloutState& rollout) {
  if (rollout.type == RolloutType::kRenewal) {
    return IsActive(state, rollout) ? "renewing" : "renewed";
  }
  switch (rollout.phase) {
    case RolloutPhase::kCancelled:
      return "cancelled";
    case RolloutPhase::kFinalized:
      return rollout.HasPendingStep(GatewayRefreshStep::kAfterFinalize)
                 ? "finalized, gateway refresh pending"
                 : "finalized";
    case RolloutPhase::kActive:
      break;
  }
  if (rollout.mode != ReplacementMode::kPreStaged) return "distributing";
  if (rollout.bindings_switched) return "bindings switched";
  return rollout.staged_profiles.empty() ? "initiated" : "staging";
}

}  // namespace rotor::domain
