// Rollout progress, exactly as the article defines it, derived from agent
// state:
// - Replacement: counted ("total") = agents, not deleted, whose latest
//   inventory holds the OLD certificate; "received" = those whose latest
//   inventory also holds the new one. Stale and revoked agents stay counted
//   until their resource is deleted.
// - CEM agent renewal: counted = targeted agents (the listed ones, or every
//   cloud-enabled agent), not deleted and not revoked; "received" = those
//   whose latest inventory holds the certificate recorded for them by
//   AgentCertificateRenewed in this rollout.
// - Gateway reporting renewal: counts no agents.
// Thread-compatible (pure functions over a const DomainState).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/domain/state.h"

namespace rotor::domain {

struct RolloutProgress {
  uint64_t total = 0;
  uint64_t received = 0;
  uint64_t stale = 0;              // counted agents flagged stale
  uint64_t stale_outstanding = 0;  // of those, not yet received
  uint64_t revoked = 0;            // counted agents whose CEM certificate is revoked
  std::vector<std::string> outstanding_agent_ids;  // sorted; filled only on request

  uint64_t Outstanding() const { return total - received; }
};

// Computes `rollout`'s progress; lists outstanding agents when `list_outstanding`.
RolloutProgress ComputeProgress(const DomainState& state, const RolloutState& rollout,
                                bool list_outstanding = false);

// True when the agent counts in `rollout` (see above).
bool IsCounted(const DomainState& state, const RolloutState& rollout, std::string_view agent_id,
               const AgentState& agent);

// True while the rollout needs work: a replacement that is neither finalized
// nor cancelled; a CEM renewal with outstanding agents; a gateway renewal
// with a pending gateway refresh.
bool IsActive(const DomainState& state, const RolloutState& rollout);

// A short status for people: "distributing", "initiated" (pre-staged, not
// staged yet), "staging", "bindings switched", "finalized, gateway refresh
// pending", "finalized", "cancelled", "renewing", "renewed".
std::string RolloutStatusText(const DomainState& state, const RolloutState& rollout);

}  // namespace rotor::domain
