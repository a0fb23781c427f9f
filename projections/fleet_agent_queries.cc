// FleetQueries::FindAgents: the filtered, paged agent lists (a rollout's
// outstanding or stale agents, the fleet by gateway, site, flag or id
// prefix). Who is counted, outstanding or stale in a rollout is
// Contribute(), the same rule the counters use.
#include <algorithm>

#include "projections/fleet_queries.h"

namespace rotor::projections {
namespace {

// The interned id `value` must have; nullopt for no constraint, kNotFound
// when no agent can match.
std::optional<uint32_t> Wanted(const StringInterner& strings,
                               const std::optional<std::string>& value) {
  if (!value.has_value()) return std::nullopt;
  if (value->empty()) return 0;
  return strings.Find(*value);
}

bool FlagMatches(const std::optional<bool>& wanted, bool actual) {
  return !wanted.has_value() || *wanted == actual;
}

}  // namespace

std::optional<AgentPage> FleetQueries::FindAgents(const AgentFilter& filter, size_t offset,
                                                  size_t limit) const {
  const RolloutState* rollout = nullptr;
  if (filter.set != RolloutAgentSet::kAll) {
    uint32_t r = rollouts_.Find(filter.rollout_id);
    if (r == FleetRollouts::kNotFound) return std::nullopt;
    rollout = &rollouts_[r];
  }
  std::optional<uint32_t> gateway = Wanted(model_.gateways(), filter.gateway_id);
  std::optional<uint32_t> site = Wanted(model_.sites(), filter.site);
  AgentPage page;
  if (gateway == StringInterner::kNotFound || site == StringInterner::kNotFound) return page;
  for (uint32_t i = 0; i < model_.agent_count(); ++i) {
    const AgentRecord& a = model_.agent(i);
    if ((gateway.has_value() && a.gateway != *gateway) || (site.has_value() && a.site != *site)) {
      continue;
    }
    if (!FlagMatches(filter.stale, (a.flags & kStale) != 0) ||
        !FlagMatches(filter.revoked, (a.flags & kRevoked) != 0) ||
        !FlagMatches(filter.deleted, (a.flags & kDeleted) != 0)) {
      continue;
    }
    if (!filter.agent_id_prefix.empty() &&
        !model_.agent_id(i).starts_with(filter.agent_id_prefix)) {
      continue;
    }
    if (rollout != nullptr) {
      Contribution c = Contribute(model_, *rollout, i);
      bool in =
          c.rule.counted && (filter.set == RolloutAgentSet::kCounted ||
                             (filter.set == RolloutAgentSet::kOutstanding && !c.rule.received) ||
                             (filter.set == RolloutAgentSet::kStale && c.rule.stale));
      if (!in) continue;
    }
    if (page.total >= offset && page.agents.size() < limit) page.agents.push_back(MakeAgentView(i));
    ++page.total;
  }
  return page;
}

}  // namespace rotor::projections
