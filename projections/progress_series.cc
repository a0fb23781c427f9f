#include "projections/progress_series.h"

#include "projections/fleet_projection.h"
#include "projections/fold.h"
#include "projections/snapshot.h"

namespace rotor::projections {

Result<Series> ProgressSeries(const EventLog& log, std::string_view rollout_id, Time from, Time to,
                              int points, const SeriesOptions& options) {
  if (points < 2) return Status::InvalidArgument("a series needs at least 2 points");
  if (to < from) return Status::InvalidArgument("a series cannot end before it starts");
  FleetProjection fleet;
  Projection* projections[] = {&fleet};
  FoldOptions fold_options;
  fold_options.reader_thread = false;  // many short folds
  Series series;
  if (options.snapshots != nullptr) {
    // A fold from 1 to `from` stops before the first event recorded after
    // it: a snapshot fits when no event up to it was recorded after `from`
    // (the fleet's as_of() is the latest recorded_at up to its sequence).
    FoldLimit start{options.last_sequence, from};
    series.snapshot_sequence = LoadNewestSnapshot(log, *options.snapshots, start, &fleet, [&] {
                                 return fleet.as_of() <= from;
                               }).sequence;
  }
  uint64_t next = series.snapshot_sequence + 1;
  std::vector<ProgressSample>& samples = series.samples;
  samples.reserve(static_cast<size_t>(points));
  const int64_t span = ToMicros(to) - ToMicros(from);
  for (int i = 0; i < points; ++i) {
    Time at = i == points - 1 ? to : TimeFromMicros(ToMicros(from) + span / (points - 1) * i);
    Result<FoldResult> folded =
        FoldLog(log, next, FoldLimit{options.last_sequence, at}, projections, fold_options);
    if (!folded.ok()) return folded.status();
    if (folded->last.sequence > 0) next = folded->last.sequence + 1;
    std::optional<RolloutProgress> p = fleet.Progress(rollout_id);
    ProgressSample sample;
    sample.at = at;
    sample.sequence = fleet.last_sequence();
    if (p.has_value()) {
      sample.total = p->total;
      sample.received = p->received;
      sample.stale = p->stale;
    }
    samples.push_back(sample);
  }
  if (!fleet.Progress(rollout_id).has_value()) {
    return Status::NotFound("rollout " + std::string(rollout_id) + " does not exist by " +
                            FormatTime(to));
  }
  return series;
}

}  // namespace rotor::projections
