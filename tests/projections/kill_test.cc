// SIGKILL between applying a batch and its checkpoint never double-counts: a
// child process follows a RocksDB log with tiny batches and is killed at
// random commits; after each kill the stored state must be exactly the fold
// of the log up to the stored checkpoint, and resuming must end equal to a
// rebuild from zero. Each stored checkpoint must also be at least the last
// commit the child reported for that projection (before or after the kill).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <random>

#include "events/rocksdb_event_log.h"
#include "projections/fold.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "tests/projections/counting_projection.h"
#include "tests/projections/history_gen.h"
#include "tests/projections/kill_child.h"

namespace rotor::projections {
namespace {

using testing::CommitReport;

// Starts the child; returns its pid and the read end of its pipe.
std::pair<pid_t, int> SpawnChild(const std::string& log_dir, const std::string& store_dir,
                                 size_t batch) {
  int fds[2];
  if (pipe(fds) != 0) return {-1, -1};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string fd = std::to_string(fds[1]);
    std::string b = std::to_string(batch);
    char* argv[] = {const_cast<char*>("/proc/self/exe"),
                    const_cast<char*>(testing::kKillChildFlag),
                    const_cast<char*>(log_dir.c_str()),
                    const_cast<char*>(store_dir.c_str()),
                    fd.data(),
                    b.data(),
                    nullptr};
    execv("/proc/self/exe", argv);
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

// Loads each projection from the store and checks it against the fold of the
// log up to its stored checkpoint. Returns the checkpoints (fleet, audit,
// counting: the order of CommitReport::projection).
std::array<uint64_t, 3> CheckStored(const std::string& log_dir, const std::string& store_dir) {
  auto log = RocksDbEventLog::Open(log_dir, {.sync = false});
  auto store = RocksDbProjectionStore::Open(store_dir, {.sync = false});
  EXPECT_TRUE(log.ok() && store.ok());
  if (!log.ok() || !store.ok()) return {0, 0, 0};
  FleetProjection fleet;
  AuditProjection audit;
  ProjectionRunner fleet_runner(**log, **store, fleet);
  ProjectionRunner audit_runner(**log, **store, audit);
  EXPECT_TRUE(fleet_runner.Open().ok());
  EXPECT_TRUE(audit_runner.Open().ok());
  uint64_t f = fleet_runner.checkpoint().sequence;
  uint64_t a = audit_runner.checkpoint().sequence;
  EXPECT_EQ(fleet.last_sequence(), f);
  EXPECT_EQ(audit.last_sequence(), a);
  auto fleet_then = ComputeAsOf(**log, FoldLimit::AtSequence(f));
  auto audit_then = ComputeAsOf(**log, FoldLimit::AtSequence(a));
  EXPECT_TRUE(fleet_then.ok() && audit_then.ok());
  if (fleet_then.ok() && audit_then.ok()) {
    EXPECT_EQ(fleet.Dump(), (*fleet_then)->fleet.Dump()) << "fleet at " << f;
    EXPECT_EQ(audit.Dump(), (*audit_then)->audit.Dump()) << "audit at " << a;
  }
  EXPECT_TRUE(fleet.VerifyCounters().ok());
  // Every event up to the checkpoint applied exactly once: count n, sum n(n+1)/2.
  testing::CountingProjection counting;
  ProjectionRunner counting_runner(**log, **store, counting);
  EXPECT_TRUE(counting_runner.Open().ok());
  uint64_t n = counting_runner.checkpoint().sequence;
  EXPECT_EQ(counting.count(), n);
  EXPECT_EQ(counting.sum(), n * (n + 1) / 2);
  return {f, a, n};
}

TEST(ProjectionKillTest, SigkillAtRandomCommitsNeverDoubleCounts) {
  testing::TempDir dir;
  std::string log_dir = dir.Sub("log"), store_dir = dir.Sub("store");
  uint64_t head = 0;
  {
    auto log = RocksDbEventLog::Open(log_dir, {.sync = false});
    ASSERT_TRUE(log.ok());
    head = testing::AppendAll(
        **log,
        testing::RandomHistory(42,
                               {.events = 3000, .agents = 150, .fingerprints = 6, .rollouts = 5}),
        50);
    ASSERT_EQ(head, 3000u);
  }
  std::mt19937_64 rng(7);
  std::array<uint64_t, 3> stored_at = {0, 0, 0};
  int kills = 0;
  for (int round = 0; round < 10; ++round) {
    size_t batch = 1 + rng() % 4;
    auto [pid, fd] = SpawnChild(log_dir, store_dir, batch);
    ASSERT_GT(pid, 0);
    // Let it commit a random number of batches, then kill it mid-flight.
    uint64_t wanted = 1 + rng() % 300, seen = 0;
    std::array<uint64_t, 3> reported = stored_at;
    CommitReport report;
    auto note = [&] {
      ASSERT_LT(report.projection, reported.size());
      reported[report.projection] = std::max(reported[report.projection], report.sequence);
    };
    while (seen < wanted && read(fd, &report, sizeof(report)) == sizeof(report)) {
      ++seen;
      note();
    }
    bool killed = seen == wanted && kill(pid, SIGKILL) == 0;
    // Commits reported before the kill landed were acknowledged too.
    while (read(fd, &report, sizeof(report)) == sizeof(report)) note();
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    close(fd);
    if (killed && WIFSIGNALED(wstatus)) {
      ++kills;
    } else {
      ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << "child failed: " << wstatus;
    }
    std::array<uint64_t, 3> at = CheckStored(log_dir, store_dir);
    for (size_t p = 0; p < at.size(); ++p) {
      // Never behind a reported commit (which also means never going back).
      EXPECT_GE(at[p], reported[p]) << "projection " << p << " lost a reported commit";
    }
    EXPECT_GT(reported[0] + reported[1] + reported[2], 0u) << "the child reported no commit";
    stored_at = at;
    if (HasFailure()) return;
  }
  EXPECT_GE(kills, 5);
  // Resume to the head: the result equals a rebuild from zero.
  auto log = RocksDbEventLog::Open(log_dir, {.sync = false});
  auto store = RocksDbProjectionStore::Open(store_dir, {.sync = false});
  ASSERT_TRUE(log.ok() && store.ok());
  FleetProjection fleet;
  AuditProjection audit;
  ProjectionRunner fleet_runner(**log, **store, fleet);
  ProjectionRunner audit_runner(**log, **store, audit);
  ASSERT_TRUE(fleet_runner.CatchUp().ok());
  ASSERT_TRUE(audit_runner.CatchUp().ok());
  auto rebuilt = ComputeAsOf(**log, FoldLimit::Head());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(fleet.Dump(), (*rebuilt)->fleet.Dump());
  EXPECT_EQ(audit.Dump(), (*rebuilt)->audit.Dump());
  EXPECT_EQ(fleet_runner.checkpoint().sequence, head);
  testing::CountingProjection counting;
  ProjectionRunner counting_runner(**log, **store, counting);
  ASSERT_TRUE(counting_runner.CatchUp().ok());
  EXPECT_EQ(counting.count(), head);
  EXPECT_EQ(counting.sum(), head * (head + 1) / 2);
}

}  // namespace
}  // namespace rotor::projections
