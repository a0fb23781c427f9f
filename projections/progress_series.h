// ProgressSeries: a rollout's progress over log time (received against the
// time events were recorded), for the console's chart. It folds the log once
// into a fresh FleetProjection and samples the rollout's progress at evenly
// spaced moments, so each sample is exactly what an as-of query at that
// moment answers.
//
// Thread safety: as FoldLog (reads the log only; safe alongside appends).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "events/event_log.h"

namespace rotor::projections {

struct ProgressSample {
  Time at;                // the moment sampled
  uint64_t sequence = 0;  // the last event at or before `at`
  uint64_t total = 0;
  uint64_t received = 0;
  uint64_t stale = 0;
  bool operator==(const ProgressSample&) const = default;
};

// `points` samples (at least 2) of rollout `rollout_id` from `from` to `to`
// inclusive. Errors: kInvalidArgument when points < 2 or to < from;
// kNotFound when the rollout does not exist by `to`; FoldLog's errors.
Result<std::vector<ProgressSample>> ProgressSeries(const EventLog& log, std::string_view rollout_id,
                                                   Time from, Time to, int points);

}  // namespace rotor::projections
