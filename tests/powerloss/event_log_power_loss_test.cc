// Durability under power loss: the event log opened on a PowerLossFileSystem
// that, at a random point among its file operations (inside RocksDB's WAL
// writes and syncs, MANIFEST and CURRENT updates, flushes at reopen), stops
// and then drops everything that was not synced. Several threads append
// until the crash; after it the log is reopened and must hold every append
// that returned success, with the expected stream, version and payload, from
// sequence 1 without a gap, and with a hash chain that verifies. Each round
// crashes one directory several times, so recovery itself is crashed too.
// A SIGKILL keeps the page cache; this does not, so an unsynced append fails
// it (scripts/mutation-check.sh, "appends not synced").
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "events/rocksdb_event_log.h"
#include "tests/events/event_log_test_util.h"
#include "tests/events/recovered_log.h"
#include "tests/powerloss/power_loss_util.h"
#include "tests/testing/power_loss_fs.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {
namespace {

constexpr uint64_t kThreads = 3;
constexpr int kAppendsPerThread = 40;
constexpr int kRounds = 12;
constexpr int kCrashesPerRound = 4;

// Appends to the thread's stream until an append fails or the quota is met;
// records each success.
void AppendUntilFailure(RocksDbEventLog* log, uint64_t thread, std::mutex* mu,
                        std::vector<CrashReport>* acked) {
  std::string stream = CrashStream(thread);
  auto version = log->StreamVersion(stream);
  if (!version.ok()) return;
  uint64_t v = *version;
  for (int i = 0; i < kAppendsPerThread; ++i) {
    auto r = log->Append(CrashAppend(stream, v));
    if (!r.ok()) return;
    v = r->stream_version;
    std::lock_guard<std::mutex> lock(*mu);
    acked->push_back({r->first_sequence, r->last_sequence, r->stream_version, thread});
  }
}

TEST(EventLogPowerLossTest, EveryAcknowledgedAppendSurvivesAndNothingFollowsAGap) {
  unsigned seed = PowerLossSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (ROTOR_POWERLOSS_SEED reruns it)");
  std::mt19937 rng(seed);
  // Opening a new log takes about 40 operations; an append about 2.
  std::uniform_int_distribution<uint64_t> crash_point(1, 2 * kThreads * kAppendsPerThread + 60);
  size_t total_acked = 0;
  for (int round = 0; round < kRounds; ++round) {
    TempDir dir;
    PowerLossEnv fault(dir);
    std::string path = dir.Sub("log");
    std::vector<CrashReport> acked;
    for (int crash = 0; crash < kCrashesPerRound; ++crash) {
      uint64_t point = crash_point(rng);
      SCOPED_TRACE("round " + std::to_string(round) + " crash " + std::to_string(crash) +
                   " at operation " + std::to_string(point));
      fault.fs->CrashAfter(point);
      {
        auto log = RocksDbEventLog::Open(path, {.env = fault.env.get()});
        if (log.ok()) {
          std::mutex mu;
          std::vector<std::thread> threads;
          for (uint64_t t = 0; t < kThreads; ++t) {
            threads.emplace_back(AppendUntilFailure, log->get(), t, &mu, &acked);
          }
          for (std::thread& t : threads) t.join();
        }
        fault.fs->Crash();  // when the point was not reached: power lost after the last ack
      }
      ASSERT_TRUE(fault.fs->DropUnsynced().ok());
      auto recovered = RocksDbEventLog::Open(path, {.env = fault.env.get()});
      ASSERT_OK(recovered);
      CheckRecoveredLog(**recovered, 0, acked);
      if (HasFailure()) return;
    }
    total_acked += acked.size();
  }
  // The crash points must leave room for work: most rounds acknowledge appends.
  EXPECT_GT(total_acked, kRounds * kThreads);
}

}  // namespace
}  // namespace rotor::testing
