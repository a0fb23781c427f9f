// ProgressSeries: a rollout's progress over log time (received against the
// time events were recorded), for the console's chart. It folds the log once
// into a fresh FleetProjection and samples the rollout's progress at evenly
// spaced moments, so each sample is exactly what an as-of query at that
// moment answers. With projection snapshots it starts from the newest one at
// or before the first moment (as ComputeAsOf does) instead of sequence 1: the
// same samples, for the events since that snapshot.
//
// Thread safety: as FoldLog (reads the log only; safe alongside appends).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "events/event_log.h"
#include "projections/store.h"

namespace rotor::projections {

struct ProgressSample {
  Time at;                // the moment sampled
  uint64_t sequence = 0;  // the last event at or before `at`
  uint64_t total = 0;
  uint64_t received = 0;
  uint64_t stale = 0;
  bool operator==(const ProgressSample&) const = default;
};

struct SeriesOptions {
  // No event after this sequence is folded (an as-of series ends there).
  uint64_t last_sequence = kHeadSequence;
  // Where to look for a fleet snapshot to start from; null: fold from 1.
  const ProjectionStore* snapshots = nullptr;
};

struct Series {
  std::vector<ProgressSample> samples;
  uint64_t snapshot_sequence = 0;  // the snapshot it started from; 0: sequence 1
};

// `points` samples (at least 2) of rollout `rollout_id` from `from` to `to`
// inclusive. Errors: kInvalidArgument when points < 2 or to < from;
// kNotFound when the rollout does not exist by `to`; FoldLog's errors.
Result<Series> ProgressSeries(const EventLog& log, std::string_view rollout_id, Time from, Time to,
                              int points, const SeriesOptions& options = {});

}  // namespace rotor::projections
