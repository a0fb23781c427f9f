// The projection store under power loss: a ProjectionRunner folds a log into
// a RocksDbProjectionStore opened on a PowerLossFileSystem, which stops at a
// random file operation and drops what was not synced. After each crash the
// stored state must be exactly the fold of the log up to the stored
// checkpoint (state and checkpoint agree), and the checkpoint must be at
// least the last commit the runner reported (nothing acknowledged is lost).
// CountingProjection is not idempotent, so a replayed or skipped event shows.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "events/memory_event_log.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "tests/events/event_log_test_util.h"
#include "tests/powerloss/power_loss_util.h"
#include "tests/projections/counting_projection.h"
#include "tests/projections/test_util.h"

namespace rotor::projections::testing {
namespace {

using rotor::testing::PowerLossEnv;
using rotor::testing::PowerLossSeed;

constexpr int kRounds = 10;
constexpr int kCrashesPerRound = 4;
constexpr uint64_t kEventsPerCrash = 120;

// Appends `n` reports to `log`.
void AppendReports(EventLog& log, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t at = log.Head() + 1;
    Append(log, Report(AgentId(at % 50), At(static_cast<int64_t>(at)), {Fp("old")}), At(0));
  }
}

// Reopens the store and checks that state and checkpoint agree, and that the
// checkpoint is not behind `reported`.
void CheckRecovered(const std::string& path, rocksdb::Env* env, const EventLog& log,
                    uint64_t reported) {
  auto store = RocksDbProjectionStore::Open(path, {.env = env});
  ASSERT_OK(store);
  auto checkpoint = (*store)->ReadCheckpoint("counting");
  ASSERT_OK(checkpoint);
  uint64_t at = checkpoint->sequence;
  EXPECT_GE(at, reported) << "the store lost a commit the runner reported";
  CountingProjection counting;
  if (at > 0) {
    auto reader = (*store)->NewReader("counting");
    ASSERT_OK(reader);
    ASSERT_OK(counting.Load(**reader));
    RecordedEvent e;
    ASSERT_OK(log.ReadOne(at, &e));
    EXPECT_EQ(checkpoint->hash, e.hash) << "checkpoint " << at;
  }
  EXPECT_EQ(counting.count(), at) << "state and checkpoint disagree";
  EXPECT_EQ(counting.sum(), at * (at + 1) / 2) << "state and checkpoint disagree";
}

TEST(ProjectionPowerLossTest, StateMatchesCheckpointAndNoReportedCommitIsLost) {
  unsigned seed = PowerLossSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (ROTOR_POWERLOSS_SEED reruns it)");
  std::mt19937 rng(seed);
  std::uniform_int_distribution<uint64_t> crash_point(1, 200);
  std::uniform_int_distribution<size_t> batch_size(1, 16);
  uint64_t total_reported = 0;
  for (int round = 0; round < kRounds; ++round) {
    TempDir dir;
    PowerLossEnv fault(dir);
    std::string path = dir.Sub("projections");
    MemoryEventLog log;
    uint64_t reported = 0;
    for (int crash = 0; crash < kCrashesPerRound; ++crash) {
      AppendReports(log, kEventsPerCrash);
      uint64_t point = crash_point(rng);
      SCOPED_TRACE("round " + std::to_string(round) + " crash " + std::to_string(crash) +
                   " at operation " + std::to_string(point));
      fault.fs->CrashAfter(point);
      {
        auto store = RocksDbProjectionStore::Open(path, {.env = fault.env.get()});
        if (store.ok()) {
          CountingProjection counting;
          ProjectionRunner runner(
              log, **store, counting,
              {.batch_size = batch_size(rng),
               .on_commit = [&](const Checkpoint& cp) { reported = cp.sequence; }});
          if (runner.Open().ok()) (void)runner.CatchUp();  // fails at the crash point
        }
        fault.fs->Crash();  // when the point was not reached: power lost after the last commit
      }
      ASSERT_TRUE(fault.fs->DropUnsynced().ok());
      CheckRecovered(path, fault.env.get(), log, reported);
      if (HasFailure()) return;
    }
    total_reported += reported;
  }
  EXPECT_GT(total_reported, uint64_t{0}) << "no crash point left room for a commit";
}

}  // namespace
}  // namespace rotor::projections::testing
