#include "services/domain/progress.h"

#include <algorithm>

namespace rotor::domain {
namespace {

RolloutFacts RuleFacts(const RolloutState& rollout) {
  return {rollout.type, rollout.target, !rollout.agent_ids.empty()};
}

bool HoldsText(const DomainState& state, const AgentState& agent, const std::string& fingerprint) {
  return !fingerprint.empty() && agent.Holds(state.fingerprints.Find(fingerprint));
}

void Count(const RolloutFacts& facts, const AgentFacts& agent, std::string_view agent_id,
           bool list_outstanding, RolloutProgress& p) {
  AgentContribution c = Contribute(facts, agent);
  p.Add(c);
  if (list_outstanding && c.counted && !c.received) p.outstanding_agent_ids.emplace_back(agent_id);
}

}  // namespace

AgentFacts FactsOf(const DomainState& state, const RolloutState& rollout, std::string_view agent_id,
                   const AgentState* agent) {
  AgentFacts f;
  f.targeted = std::binary_search(rollout.agent_ids.begin(), rollout.agent_ids.end(), agent_id);
  if (agent == nullptr) return f;
  f.reported = agent->has_report;
  f.deleted = agent->deleted;
  f.stale = agent->stale;
  f.revoked = agent->revoked;
  f.cloud_enabled = agent->cloud_enabled;
  if (rollout.type == RolloutKind::kReplacement) {
    f.holds_old = HoldsText(state, *agent, rollout.old_fingerprint);
    f.holds_new = HoldsText(state, *agent, rollout.new_fingerprint);
  } else {
    f.holds_new = agent->Holds(agent->RenewedIn(rollout.id));
  }
  return f;
}

AgentContribution ContributionOf(const DomainState& state, const RolloutState& rollout,
                                 std::string_view agent_id, const AgentState* agent) {
  return Contribute(RuleFacts(rollout), FactsOf(state, rollout, agent_id, agent));
}

bool IsCounted(const DomainState& state, const RolloutState& rollout, std::string_view agent_id,
               const AgentState& agent) {
  return ContributionOf(state, rollout, agent_id, &agent).counted;
}

RolloutProgress ComputeProgress(const DomainState& state, const RolloutState& rollout,
                                bool list_outstanding) {
  RolloutProgress p;
  RolloutFacts facts = RuleFacts(rollout);
  if (facts.explicit_targets) {
    // Only listed agents can count: look them up instead of scanning the fleet.
    // A listed agent never seen counts (outstanding), as in the projection.
    for (const std::string& id : rollout.agent_ids) {
      Count(facts, FactsOf(state, rollout, id, state.FindAgent(id)), id, list_outstanding, p);
    }
  } else {
    for (const auto& [id, agent] : state.agents) {
      Count(facts, FactsOf(state, rollout, id, &agent), id, list_outstanding, p);
    }
  }
  p.not_counted = 0;  // not needed by the deciders; the fleet projection reports it
  return p;
}

RolloutStatus StatusOf(const DomainState& state, const RolloutState& rollout) {
  LifecycleFacts l;
  l.kind = rollout.type;
  l.finalized = rollout.phase == RolloutPhase::kFinalized;
  l.cancelled = rollout.phase == RolloutPhase::kCancelled;
  l.pre_staged = rollout.mode == ReplacementMode::kPreStaged;
  l.staged = !rollout.staged_profiles.empty() || rollout.bindings_switched;
  l.switched = rollout.bindings_switched;
  l.pending_after_initiate = rollout.HasPendingStep(GatewayRefreshStep::kAfterInitiate);
  l.pending_after_finalize = rollout.HasPendingStep(GatewayRefreshStep::kAfterFinalize);
  l.pending_any = l.pending_after_initiate || l.pending_after_finalize;
  return rotor::StatusOf(l, ComputeProgress(state, rollout));
}

bool IsActive(const DomainState& state, const RolloutState& rollout) {
  if (rollout.phase != RolloutPhase::kActive) return false;
  if (rollout.type == RolloutKind::kReplacement) return true;
  return StatusOf(state, rollout) != RolloutStatus::kCompleted;
}

}  // namespace rotor::domain
