// Property: for thousands of random event histories, the projection kept
// incrementally by the runner (random batch sizes, random append chunks,
// restarts from the store in between) equals a rebuild from zero, equals an
// as-of query at the head; and as-of any checkpoint equals what the
// incremental projection was at that checkpoint.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "events/memory_event_log.h"
#include "projections/fold.h"
#include "projections/memory_store.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "tests/projections/history_gen.h"

namespace rotor::projections {
namespace {

struct Live {
  FleetProjection fleet;
  AuditProjection audit;
  std::unique_ptr<ProjectionRunner> fleet_runner;
  std::unique_ptr<ProjectionRunner> audit_runner;
};

std::unique_ptr<Live> OpenLive(const EventLog& log, ProjectionStore& store, size_t batch) {
  auto live = std::make_unique<Live>();
  live->fleet_runner = std::make_unique<ProjectionRunner>(log, store, live->fleet,
                                                          RunnerOptions{.batch_size = batch});
  live->audit_runner = std::make_unique<ProjectionRunner>(log, store, live->audit,
                                                          RunnerOptions{.batch_size = batch + 3});
  EXPECT_TRUE(live->fleet_runner->Open().ok());
  EXPECT_TRUE(live->audit_runner->Open().ok());
  return live;
}

std::string Both(const FleetProjection& fleet, const AuditProjection& audit) {
  return fleet.Dump() + audit.Dump();
}

// Runs one history; returns false (after reporting) on the first difference.
bool CheckHistory(uint64_t seed, ProjectionStore& store, ProjectionStore& rebuild_store) {
  std::mt19937_64 rng(seed * 7919);
  auto pick = [&](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  testing::HistoryShape shape{.events = pick(20, 250),
                              .agents = pick(2, 20),
                              .fingerprints = pick(2, 6),
                              .rollouts = pick(1, 5)};
  std::vector<testing::TimedEvent> history = testing::RandomHistory(seed, shape);
  MemoryEventLog log;
  size_t batch = pick(1, 20);
  std::unique_ptr<Live> live = OpenLive(log, store, batch);
  std::map<uint64_t, std::string> seen;
  for (size_t first = 0; first < history.size();) {
    size_t n = std::min(history.size() - first, pick(1, 40));
    testing::AppendAll(
        log, std::vector<testing::TimedEvent>(history.begin() + first, history.begin() + first + n),
        pick(1, 10));
    first += n;
    Status s = live->fleet_runner->CatchUp();
    Status a = live->audit_runner->CatchUp();
    Status v = live->fleet.VerifyCounters();
    if (!s.ok() || !a.ok() || !v.ok()) {
      ADD_FAILURE() << "seed " << seed << ": " << s.ToString() << " / " << a.ToString() << " / "
                    << v.ToString();
      return false;
    }
    seen[log.Head()] = Both(live->fleet, live->audit);
    if (pick(0, 4) == 0) {  // restart from the store
      std::string before = seen[log.Head()];
      live = OpenLive(log, store, pick(1, 20));
      if (Both(live->fleet, live->audit) != before) {
        ADD_FAILURE() << "seed " << seed << ": reloaded state differs at " << log.Head();
        return false;
      }
    }
  }
  std::string incremental = Both(live->fleet, live->audit);

  FleetProjection fleet;
  AuditProjection audit;
  ProjectionRunner fleet_rebuild(log, rebuild_store, fleet);
  ProjectionRunner audit_rebuild(log, rebuild_store, audit);
  if (!fleet_rebuild.Rebuild().ok() || !audit_rebuild.Rebuild().ok()) {
    ADD_FAILURE() << "seed " << seed << ": rebuild failed";
    return false;
  }
  std::string rebuilt = Both(fleet, audit);

  Result<std::unique_ptr<ReadModels>> head = ComputeAsOf(log, FoldLimit::Head());
  if (!head.ok()) {
    ADD_FAILURE() << "seed " << seed << ": " << head.status().ToString();
    return false;
  }
  std::string as_of = Both((*head)->fleet, (*head)->audit);
  // The same fold in chunks through the two-stage pipeline (forced on).
  Result<std::unique_ptr<ReadModels>> piped =
      ComputeAsOf(log, FoldLimit::Head(), {.chunked_min_events = 0, .reader_thread = true});
  std::string pipelined = piped.ok() ? Both((*piped)->fleet, (*piped)->audit) : "";
  if (incremental != rebuilt || rebuilt != as_of || as_of != pipelined) {
    EXPECT_EQ(incremental, rebuilt) << "seed " << seed;
    EXPECT_EQ(rebuilt, as_of) << "seed " << seed;
    EXPECT_EQ(as_of, pipelined) << "seed " << seed;
    return false;
  }
  auto mid = std::next(seen.begin(), static_cast<long>(pick(0, seen.size() - 1)));
  // As of a checkpoint: one record at a time, in chunks, or in chunks on two
  // threads with the reader decoding every chunk or none.
  size_t mode = pick(0, 3);
  FoldOptions options{.chunked_min_events = mode == 0 ? 1000000u : 0u,
                      .reader_thread = mode >= 2,
                      .reader_decodes_when_queued = mode == 2 ? 0 : ~size_t{0}};
  Result<std::unique_ptr<ReadModels>> then =
      ComputeAsOf(log, FoldLimit::AtSequence(mid->first), options);
  if (!then.ok() || Both((*then)->fleet, (*then)->audit) != mid->second) {
    ADD_FAILURE() << "seed " << seed << ": as of " << mid->first << " differs";
    return false;
  }
  return true;
}

TEST(ProjectionPropertyTest, IncrementalEqualsRebuildEqualsAsOfAtHead) {
  constexpr uint64_t kHistories = 2000;
  for (uint64_t seed = 1; seed <= kHistories; ++seed) {
    MemoryProjectionStore store, rebuild_store;
    ASSERT_TRUE(CheckHistory(seed, store, rebuild_store));
  }
}

TEST(ProjectionPropertyTest, SameOnTheRocksDbStore) {
  testing::TempDir dir;
  for (uint64_t seed = 100001; seed <= 100030; ++seed) {
    auto store = RocksDbProjectionStore::Open(dir.Sub("s" + std::to_string(seed)), {.sync = false});
    auto rebuild =
        RocksDbProjectionStore::Open(dir.Sub("r" + std::to_string(seed)), {.sync = false});
    ASSERT_TRUE(store.ok() && rebuild.ok());
    ASSERT_TRUE(CheckHistory(seed, **store, **rebuild));
  }
}

}  // namespace
}  // namespace rotor::projections
