// Helpers shared by command_service.cc and command_batch.cc (ExecuteBatch).
// Internal to services/domain. Thread-safe.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>

#include "events/event_log.h"
#include "services/domain/decision.h"

namespace rotor::domain {

// The command service's logger ("domain").
spdlog::logger& CommandServiceLogger();

// The request appending `append` of `decision` at `expected_version`.
AppendRequest MakeAppendRequest(const Decision& decision, const StreamAppend& append,
                                uint64_t expected_version);

}  // namespace rotor::domain
