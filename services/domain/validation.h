// Checks shared by the deciders: identifiers, actors, fingerprints, and
// lookups that fail with an error naming the missing thing. Thread-compatible
// (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "services/domain/state.h"

namespace rotor::domain {

inline constexpr size_t kMaxIdLength = 256;

// Errors: kInvalidArgument when `value` is empty, longer than kMaxIdLength
// bytes, not valid UTF-8, or holds a control character; the message starts
// with `what` ("rollout id").
Status CheckId(std::string_view what, std::string_view value);

// Errors: kInvalidArgument when the actor is empty (every change names who made it).
Status CheckActor(std::string_view actor);

// Errors: kInvalidArgument when `value` is not 64 lower-case hex digits.
Status CheckFingerprint(std::string_view what, std::string_view value);

// Returns the rollout. Errors: kNotFound "rollout <id> does not exist".
Result<const RolloutState*> LookupRollout(const DomainState& state, std::string_view rollout_id);

// Returns the rollout when it is a replacement. Errors: kNotFound;
// kFailedPrecondition when it is a renewal.
Result<const RolloutState*> LookupReplacement(const DomainState& state,
                                              std::string_view rollout_id);

// Returns the agent. Errors: kNotFound "agent <id> is unknown ...".
Result<const AgentState*> LookupAgent(const DomainState& state, std::string_view agent_id);

// "active", "finalized", "cancelled".
std::string_view PhaseName(RolloutPhase phase);

// The gateways whose auto-refresh is off (they need manual refreshes), sorted.
std::vector<std::string> ManualRefreshGateways(const DomainState& state);

// "30 days", "12 hours", "90 seconds": the largest unit that divides `d`.
std::string DurationText(Micros d);

// RFC 5280 CRLReason name ("keyCompromise"); empty for 7 and values above 10.
std::string_view CrlReasonName(uint32_t reason_code);

// "a, b, c" for at most `max` items, then " and N more", where N counts up
// to `total` (when `items` lists only the first of `total`).
std::string JoinLimited(const std::vector<std::string>& items, size_t max, size_t total = 0);

}  // namespace rotor::domain
