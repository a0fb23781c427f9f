// Refused lifecycle commands are recorded, so that auditors see attempts and
// not only successes. This is the one rule that says which refusals are
// recorded and what the record holds; the command service appends the record
// (deciders stay pure: they only return the refusal).
//
// Recorded: FinalizeReplacement, CancelReplacement, SwitchBindings,
// RevokeAgentCertificate and DeleteAgentResource refused by the domain's
// rules (kFailedPrecondition: agents outstanding, a cancelled or finalized
// rollout, a pending gateway refresh, too few agents staged, ...). Not
// recorded: malformed input (kInvalidArgument), unknown ids (kNotFound), any
// other command, and errors of the system (I/O, conflicts).
//
// Thread-safe (pure functions).
#pragma once

#include <optional>

#include "base/status.h"
#include "services/domain/commands.h"
#include "services/domain/decision.h"

namespace rotor::domain {

// True when `refusal`, returned by Decide(command), is recorded.
bool IsRecordedRefusal(const Command& command, const Status& refusal);

// The decision that records `refusal` of `command`: one CommandRefused on
// the target's stream (the rollout's, or the agent's for revoke and delete),
// by the command's actor at the command's time, with the refusal's message as
// the reason. nullopt when the refusal is not recorded.
std::optional<Decision> RefusalRecord(const Command& command, const Status& refusal);

}  // namespace rotor::domain
