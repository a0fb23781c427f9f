// Rollout progress for the deciders (the finalize gate, the finalize
// refusal's numbers, whether a renewal is still running), computed from
// DomainState with the one progress rule in events/progress_rule.h, which the
// fleet projection uses too: the gate and the dashboard give one answer.
// Thread-compatible (pure functions over a const DomainState).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/progress_rule.h"
#include "services/domain/state.h"

namespace rotor::domain {

// The rule's counters (not_counted is left 0: the fleet projection reports
// it), and optionally the outstanding agents.
struct RolloutProgress : ProgressCounters {
  std::vector<std::string> outstanding_agent_ids;  // sorted; filled only on request
};

// The progress rule's facts about `agent_id` (nullptr: never seen) in `rollout`.
AgentFacts FactsOf(const DomainState& state, const RolloutState& rollout, std::string_view agent_id,
                   const AgentState* agent);

// `agent_id`'s contribution to `rollout` (nullptr: never seen).
AgentContribution ContributionOf(const DomainState& state, const RolloutState& rollout,
                                 std::string_view agent_id, const AgentState* agent);

// Computes `rollout`'s progress; lists outstanding agents when `list_outstanding`.
RolloutProgress ComputeProgress(const DomainState& state, const RolloutState& rollout,
                                bool list_outstanding = false);

// True when the agent counts in `rollout` (the rule's `counted`).
bool IsCounted(const DomainState& state, const RolloutState& rollout, std::string_view agent_id,
               const AgentState& agent);

// The rollout's status in the one vocabulary (events/progress_rule.h).
RolloutStatus StatusOf(const DomainState& state, const RolloutState& rollout);

// True while the rollout needs work: a replacement that is neither finalized
// nor cancelled; a renewal whose status is not yet "completed" (agents
// outstanding, or a gateway refresh pending).
bool IsActive(const DomainState& state, const RolloutState& rollout);

}  // namespace rotor::domain
