#include "projections/progress_series.h"

#include "projections/fleet_projection.h"
#include "projections/fold.h"

namespace rotor::projections {

Result<std::vector<ProgressSample>> ProgressSeries(const EventLog& log, std::string_view rollout_id,
                                                   Time from, Time to, int points) {
  if (points < 2) return Status::InvalidArgument("a series needs at least 2 points");
  if (to < from) return Status::InvalidArgument("a series cannot end before it starts");
  FleetProjection fleet;
  Projection* projections[] = {&fleet};
  FoldOptions options;
  options.reader_thread = false;  // many short folds
  uint64_t next = 1;
  std::vector<ProgressSample> samples;
  samples.reserve(static_cast<size_t>(points));
  const int64_t span = ToMicros(to) - ToMicros(from);
  for (int i = 0; i < points; ++i) {
    Time at = i == points - 1 ? to : TimeFromMicros(ToMicros(from) + span / (points - 1) * i);
    Result<FoldResult> folded = FoldLog(log, next, FoldLimit::AtTime(at), projections, options);
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
  return samples;
}

}  // namespace rotor::projections
