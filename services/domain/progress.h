// Rollout progress for the deciders (the finalize gate, the finalize
// refusal's numbers, whether a renewal is still running), from DomainState
// with the one progress rule in events/progress_rule.h, which the fleet
// projection uses too: the gate and the dashboard give one answer.
//
// An active rollout that counts agents is "tracked": Evolve keeps its
// counters and its bitmap of outstanding agents incrementally (an agent's
// contribution is subtracted before a change and added after), so reading
// its progress costs O(1) and listing outstanding agents O(fleet / 64 +
// listed). Finalized and cancelled rollouts are not tracked; their progress
// is recounted (a walk of their agents) on the rare request that asks.
// Thread-compatible (const functions over a DomainState; the tracking
// functions mutate it and are called by Evolve).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "events/progress_rule.h"
#include "services/domain/state.h"

namespace rotor::domain {

// The rule's counters (not_counted is left 0: the fleet projection reports
// it), and optionally the outstanding agents.
struct RolloutProgress : ProgressCounters {
  // At most the requested number, in the order agents were first seen
  // (renewals of listed agents: in the list's order).
  std::vector<std::string> outstanding_agent_ids;
};

inline constexpr size_t kListAll = static_cast<size_t>(-1);

// The progress rule's facts about agent `index` of `state.agents` in `rollout`.
AgentFacts FactsOf(const DomainState& state, const RolloutState& rollout, uint32_t index);

// Agent `index`'s contribution to `rollout`.
AgentContribution ContributionOf(const DomainState& state, const RolloutState& rollout,
                                 uint32_t index);

// `rollout`'s progress, listing at most `list_limit` outstanding agents.
// O(1) plus the listing for a tracked rollout; a recount otherwise.
RolloutProgress ComputeProgress(const DomainState& state, const RolloutState& rollout,
                                size_t list_limit = 0);

// A flag where a count is meant would list one agent: refused at compile time.
RolloutProgress ComputeProgress(const DomainState&, const RolloutState&, bool) = delete;

// `rollout`'s progress by visiting its agents (every agent, or the listed
// ones). Tests check the incremental counters against it.
RolloutProgress RecountProgress(const DomainState& state, const RolloutState& rollout,
                                size_t list_limit = 0);

// True when `agent` counts in `rollout` (the rule's `counted`).
bool IsCounted(const DomainState& state, const RolloutState& rollout, const AgentState& agent);

// The rollout's status in the one vocabulary (events/progress_rule.h).
RolloutStatus StatusOf(const DomainState& state, const RolloutState& rollout);

// True while the rollout needs work: a replacement that is neither finalized
// nor cancelled; a renewal whose status is not yet "completed" (agents
// outstanding, or a gateway refresh pending).
bool IsActive(const DomainState& state, const RolloutState& rollout);

// Evolve's side. Starts keeping `rollout_id`'s progress (one walk of its
// agents) when it is active and counts agents; stops when it no longer is.
void UpdateTracking(DomainState& state, const std::string& rollout_id);

// Calls `change(agent)` on agent `index`, keeping every tracked rollout's
// counters and outstanding bitmap in step.
template <typename Change>
void ChangeAgent(DomainState& state, uint32_t index, Change&& change);

// Implementation detail of ChangeAgent.
struct TrackedContributions {
  std::vector<std::pair<RolloutState*, AgentContribution>> before;
};
TrackedContributions ContributionsBefore(DomainState& state, uint32_t index);
void ApplyContributionsAfter(DomainState& state, uint32_t index, const TrackedContributions& t);

template <typename Change>
void ChangeAgent(DomainState& state, uint32_t index, Change&& change) {
  if (state.tracked_rollouts.empty()) {
    change(state.agents[index]);
    return;
  }
  TrackedContributions t = ContributionsBefore(state, index);
  change(state.agents[index]);
  ApplyContributionsAfter(state, index, t);
}

}  // namespace rotor::domain
