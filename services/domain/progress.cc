#include "services/domain/progress.h"

#include <algorithm>

namespace rotor::domain {
namespace {

RolloutFacts RuleFacts(const RolloutState& rollout) {
  return {rollout.type, rollout.target, !rollout.agent_ids.empty()};
}

bool CountsAgents(const RolloutState& rollout) {
  return rollout.type == RolloutKind::kReplacement ||
         rollout.target == RenewalTarget::kCemAgentCertificates;
}

void SetOutstanding(RolloutState& rollout, uint32_t index, bool outstanding) {
  size_t word = index / 64;
  uint64_t bit = uint64_t{1} << (index % 64);
  if (word >= rollout.outstanding.size()) {
    if (!outstanding) return;
    rollout.outstanding.resize(std::max<size_t>(word + 1, rollout.outstanding.size() * 2), 0);
  }
  if (outstanding) {
    rollout.outstanding[word] |= bit;
  } else {
    rollout.outstanding[word] &= ~bit;
  }
}

void Count(const DomainState& state, const RolloutState& rollout, const RolloutFacts& facts,
           uint32_t index, size_t list_limit, RolloutProgress& p) {
  AgentContribution c = Contribute(facts, FactsOf(state, rollout, index));
  p.Add(c);
  if (c.counted && !c.received && p.outstanding_agent_ids.size() < list_limit) {
    p.outstanding_agent_ids.emplace_back(state.agent_ids.Get(index));
  }
}

// The outstanding agents of a tracked rollout, from its bitmap.
void ListOutstanding(const DomainState& state, const RolloutState& rollout, size_t list_limit,
                     RolloutProgress& p) {
  if (list_limit == 0) return;
  if (!rollout.agent_ids.empty()) {
    for (const std::string& id : rollout.agent_ids) {
      if (p.outstanding_agent_ids.size() >= list_limit) return;
      if (rollout.IsOutstanding(state.agent_ids.Find(id))) p.outstanding_agent_ids.push_back(id);
    }
    return;
  }
  for (size_t word = 0; word < rollout.outstanding.size(); ++word) {
    for (uint64_t bits = rollout.outstanding[word]; bits != 0; bits &= bits - 1) {
      if (p.outstanding_agent_ids.size() >= list_limit) return;
      auto index = static_cast<uint32_t>(word * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
      p.outstanding_agent_ids.emplace_back(state.agent_ids.Get(index));
    }
  }
}

}  // namespace

AgentFacts FactsOf(const DomainState& state, const RolloutState& rollout, uint32_t index) {
  const AgentState& agent = state.agents[index];
  AgentFacts f;
  f.targeted = std::binary_search(rollout.targets.begin(), rollout.targets.end(), index);
  f.reported = agent.has_report;
  f.deleted = agent.deleted;
  f.stale = agent.stale;
  f.revoked = agent.revoked;
  f.cloud_enabled = agent.cloud_enabled;
  if (rollout.type == RolloutKind::kReplacement) {
    f.holds_old = state.HoldsText(agent, rollout.old_fingerprint);
    f.holds_new = state.HoldsText(agent, rollout.new_fingerprint);
  } else {
    f.holds_new = state.Holds(agent, state.RenewedIn(rollout, agent));
  }
  return f;
}

AgentContribution ContributionOf(const DomainState& state, const RolloutState& rollout,
                                 uint32_t index) {
  return Contribute(RuleFacts(rollout), FactsOf(state, rollout, index));
}

bool IsCounted(const DomainState& state, const RolloutState& rollout, const AgentState& agent) {
  return ContributionOf(state, rollout, state.IndexOf(agent)).counted;
}

RolloutProgress RecountProgress(const DomainState& state, const RolloutState& rollout,
                                size_t list_limit) {
  RolloutProgress p;
  if (!CountsAgents(rollout)) return p;  // a gateway renewal counts no agent
  RolloutFacts facts = RuleFacts(rollout);
  if (facts.explicit_targets) {
    // Only listed agents can count: look them up instead of walking the fleet.
    // A listed agent never seen counts (outstanding), as in the projection.
    for (const std::string& id : rollout.agent_ids) {
      uint32_t index = state.agent_ids.Find(id);
      if (index == StringInterner::kNotFound) {  // never interned: a listed agent never seen
        AgentContribution c = Contribute(facts, AgentFacts{.targeted = true});
        p.Add(c);
        if (c.counted && p.outstanding_agent_ids.size() < list_limit) {
          p.outstanding_agent_ids.push_back(id);
        }
        continue;
      }
      Count(state, rollout, facts, index, list_limit, p);
    }
  } else {
    for (uint32_t index = 0; index < state.agents.size(); ++index) {
      Count(state, rollout, facts, index, list_limit, p);
    }
  }
  p.not_counted = 0;  // not needed by the deciders; the fleet projection reports it
  return p;
}

RolloutProgress ComputeProgress(const DomainState& state, const RolloutState& rollout,
                                size_t list_limit) {
  if (!rollout.tracked) return RecountProgress(state, rollout, list_limit);
  RolloutProgress p;
  static_cast<ProgressCounters&>(p) = rollout.counters;
  p.not_counted = 0;
  ListOutstanding(state, rollout, list_limit, p);
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

void UpdateTracking(DomainState& state, const std::string& rollout_id) {
  auto it = state.rollouts.find(rollout_id);
  if (it == state.rollouts.end()) return;
  RolloutState& r = it->second;
  bool wanted = r.phase == RolloutPhase::kActive && CountsAgents(r);
  if (wanted == r.tracked) return;
  auto& ids = state.tracked_rollouts;
  if (!wanted) {
    r.tracked = false;
    r.outstanding = {};
    ids.erase(std::remove(ids.begin(), ids.end(), rollout_id), ids.end());
    return;
  }
  r.counters = {};
  r.outstanding.assign((state.agents.size() + 63) / 64, 0);
  RolloutFacts facts = RuleFacts(r);
  auto add = [&](uint32_t index) {
    AgentContribution c = Contribute(facts, FactsOf(state, r, index));
    r.counters.Add(c);
    SetOutstanding(r, index, c.counted && !c.received);
  };
  if (facts.explicit_targets) {
    for (uint32_t index : r.targets) add(index);
  } else {
    for (uint32_t index = 0; index < state.agents.size(); ++index) add(index);
  }
  r.tracked = true;
  ids.push_back(rollout_id);
}

TrackedContributions ContributionsBefore(DomainState& state, uint32_t index) {
  TrackedContributions t;
  t.before.reserve(state.tracked_rollouts.size());
  for (const std::string& id : state.tracked_rollouts) {
    RolloutState& r = state.rollouts.find(id)->second;
    t.before.emplace_back(&r, ContributionOf(state, r, index));
  }
  return t;
}

void ApplyContributionsAfter(DomainState& state, uint32_t index, const TrackedContributions& t) {
  for (const auto& [rollout, before] : t.before) {
    AgentContribution after = ContributionOf(state, *rollout, index);
    if (after == before) continue;
    rollout->counters.Add(before, -1);
    rollout->counters.Add(after, +1);
    SetOutstanding(*rollout, index, after.counted && !after.received);
  }
}

}  // namespace rotor::domain
