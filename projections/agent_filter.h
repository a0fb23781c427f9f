// AgentFilter and AgentPage: the server-side search behind the console's
// and rotorctl's agent lists (GET /v1/agents with filters, GET
// /v1/rollouts/{id}/agents). A page is `limit` matches from `offset`, in
// agent index order (order of first sight), with the count of all matches,
// so a client never receives the whole list.
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "projections/views.h"

namespace rotor::projections {

// Which agents of a rollout a list shows.
enum class RolloutAgentSet : uint8_t {
  kAll = 0,          // every agent the fleet knows (no rollout)
  kCounted = 1,      // counted in the rollout's total
  kOutstanding = 2,  // counted, has not received the new certificate
  kStale = 3,        // counted and flagged stale
};

struct AgentFilter {
  std::string rollout_id;  // with a set other than kAll
  RolloutAgentSet set = RolloutAgentSet::kAll;
  std::optional<std::string> gateway_id;  // exact; "" matches agents reporting none
  std::optional<std::string> site;        // exact; "" matches agents reporting none
  std::string agent_id_prefix;
  std::optional<bool> stale;
  std::optional<bool> revoked;
  std::optional<bool> deleted;
};

struct AgentPage {
  std::vector<AgentView> agents;
  uint64_t total = 0;  // every match, not only this page
};

}  // namespace rotor::projections
