// ProgressSeries (projections/progress_series.h): started from the newest
// projection snapshot at or before a rollout's initiation, the series is the
// same as folded from sequence 1, sample for sample, and its last sample is
// what an as-of query at its end answers; an as-of series (a last sequence)
// folds nothing after it.
#include "projections/progress_series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "events/memory_event_log.h"
#include "projections/fold.h"
#include "projections/memory_store.h"
#include "projections/runner.h"
#include "tests/projections/history_gen.h"

namespace rotor::projections {
namespace {

// Appends `history` to `log` in pieces and runs the fleet runner over each,
// taking a snapshot every `every` events.
void AppendAndProject(EventLog& log, ProjectionStore& store,
                      const std::vector<testing::TimedEvent>& history, uint64_t every,
                      std::mt19937_64& rng) {
  for (size_t first = 0; first < history.size();) {
    size_t n = std::min<size_t>(history.size() - first, 1 + rng() % 60);
    testing::AppendAll(log, {history.begin() + first, history.begin() + first + n}, 1 + rng() % 5);
    first += n;
    FleetProjection fleet;
    RunnerOptions options{.batch_size = 1 + rng() % 20, .snapshot_every_events = every};
    ProjectionRunner runner(log, store, fleet, options);
    ASSERT_TRUE(runner.CatchUp().ok());
  }
}

// The series of `p` from sequence 1 and from the snapshots must agree.
// Returns the snapshot the latter started from.
uint64_t ExpectSameSeries(const EventLog& log, const ProjectionStore& store,
                          const RolloutProgress& p, Time to, uint64_t last_sequence,
                          const std::string& what) {
  SeriesOptions from_one{last_sequence, nullptr};
  SeriesOptions from_snapshots{last_sequence, &store};
  Result<Series> slow = ProgressSeries(log, p.rollout_id, p.initiated_at, to, 7, from_one);
  Result<Series> fast = ProgressSeries(log, p.rollout_id, p.initiated_at, to, 7, from_snapshots);
  EXPECT_EQ(slow.ok(), fast.ok()) << what;
  if (!slow.ok() || !fast.ok()) return 0;
  EXPECT_EQ(slow->snapshot_sequence, 0u);
  EXPECT_EQ(slow->samples, fast->samples) << what;
  for (const ProgressSample& s : fast->samples) EXPECT_LE(s.sequence, last_sequence) << what;
  return fast->snapshot_sequence;
}

TEST(ProgressSeriesTest, FromTheSnapshotsEqualsTheFoldFromSequenceOne) {
  uint64_t used = 0;
  uint64_t compared = 0;
  for (uint64_t seed = 1; seed <= 120; ++seed) {
    std::mt19937_64 rng(seed * 7919);
    std::vector<testing::TimedEvent> history = testing::RandomHistory(
        seed, {.events = 80 + rng() % 220, .agents = 15, .fingerprints = 5, .rollouts = 4});
    for (testing::TimedEvent& e : history) {  // clocks go back now and then
      if (rng() % 6 == 0) e.at -= std::chrono::seconds(rng() % 3600);
    }
    MemoryEventLog log;
    MemoryProjectionStore store;
    AppendAndProject(log, store, history, 2 + rng() % 25, rng);
    if (HasFailure()) return;
    Result<std::unique_ptr<ReadModels>> head = ComputeAsOf(log, FoldLimit::Head());
    ASSERT_TRUE(head.ok());
    for (const RolloutProgress& p : (*head)->fleet.Rollouts()) {
      std::string what = "seed " + std::to_string(seed) + " rollout " + p.rollout_id;
      Time to = std::max(p.initiated_at, p.ended_at.value_or((*head)->fleet.as_of()));
      used += ExpectSameSeries(log, store, p, to, kHeadSequence, what) > 0 ? 1 : 0;
      // As of a sequence between the initiation and the head.
      uint64_t cut = 1 + rng() % log.Head();
      Result<std::unique_ptr<ReadModels>> then = ComputeAsOf(log, FoldLimit::AtSequence(cut));
      ASSERT_TRUE(then.ok());
      std::optional<RolloutProgress> at_cut = (*then)->fleet.Progress(p.rollout_id);
      if (at_cut.has_value()) {
        Time end = std::max(p.initiated_at, (*then)->fleet.as_of());
        ExpectSameSeries(log, store, p, end, cut, what + " as of " + std::to_string(cut));
        Result<Series> series =
            ProgressSeries(log, p.rollout_id, p.initiated_at, end, 3, {cut, &store});
        ASSERT_TRUE(series.ok()) << what;
        const ProgressSample& last = series->samples.back();
        EXPECT_EQ(last.total, at_cut->total) << what;
        EXPECT_EQ(last.received, at_cut->received) << what;
        EXPECT_EQ(last.stale, at_cut->stale) << what;
      }
      ++compared;
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(compared, 200u);
  EXPECT_GT(used, compared / 4) << "the snapshots were used, not skipped";
}

}  // namespace
}  // namespace rotor::projections
