// ProjectionRunner: persistence and resume, rebuild from zero, as-of queries
// that leave the live projection alone, gap detection, lag, a store paired
// with another log, undecodable events, and following live appends.
#include "projections/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "events/codec.h"
#include "events/memory_event_log.h"
#include "events/rocksdb_event_log.h"
#include "projections/fold.h"
#include "projections/memory_store.h"
#include "projections/rocksdb_store.h"
#include "tests/projections/forwarding_store.h"
#include "tests/projections/test_util.h"

namespace rotor::projections {
namespace {

using testing::AgentId;
using testing::At;
using testing::Fp;
using testing::Replace;
using testing::Report;

const std::string kOld = Fp("old");
const std::string kNew = Fp("new");

// 1 replacement, then `agents` agents reporting the old certificate and every
// other one the new one, one event per second from `start`.
std::vector<testing::TimedEvent> Fleet(int agents, int start = 0) {
  std::vector<testing::TimedEvent> events;
  if (start == 0) events.push_back({Replace("r1", kOld, kNew), At(0), "alice"});
  for (int i = 0; i < agents; ++i) {
    std::vector<std::string> certs = {kOld};
    if (i % 2 == 0) certs.push_back(kNew);
    events.push_back({Report(AgentId(start + i), At(start + i + 1), certs, "gw", "site"),
                      At(start + i + 1), "agent"});
  }
  return events;
}

std::string AsOfDump(const EventLog& log, FoldLimit limit) {
  Result<std::unique_ptr<ReadModels>> models = ComputeAsOf(log, limit);
  EXPECT_TRUE(models.ok()) << models.status().ToString();
  return models.ok() ? (*models)->fleet.Dump() : "";
}

// An EventLog that hides one sequence number: a gap.
class GappyLog final : public EventLog {
 public:
  explicit GappyLog(uint64_t missing) : missing_(missing) {}
  Result<AppendResult> Append(AppendRequest request) override {
    Result<AppendResult> r = inner_.Append(std::move(request));
    if (r.ok()) PublishHead(inner_.Head());
    return r;
  }
  Status ScanStored(uint64_t from, Direction direction,
                    const std::function<bool(uint64_t, std::string_view)>& visit) const override {
    return inner_.ScanStored(from, direction, [&](uint64_t seq, std::string_view value) {
      return seq == missing_ || visit(seq, value);
    });
  }
  Status StreamSequences(std::string_view stream_id, uint64_t from_version, size_t max,
                         std::vector<uint64_t>* out) const override {
    return inner_.StreamSequences(stream_id, from_version, max, out);
  }
  Status ReadOne(uint64_t sequence, RecordedEvent* out) const override {
    if (sequence == missing_) return Status::NotFound("hidden");
    return inner_.ReadOne(sequence, out);
  }
  Result<uint64_t> StreamVersion(std::string_view stream_id) const override {
    return inner_.StreamVersion(stream_id);
  }

 private:
  MemoryEventLog inner_;
  uint64_t missing_;
};

// A store whose commits fail from the `fail_from`-th on (1-based).
class FailingStore final : public ForwardingStore {
 public:
  FailingStore(ProjectionStore& inner, int fail_from)
      : ForwardingStore(inner), fail_from_(fail_from) {}
  Status Commit(StoreBatch& batch, const Checkpoint& checkpoint) override {
    if (++commits_ >= fail_from_) return Status::IoError("disk full");
    return ForwardingStore::Commit(batch, checkpoint);
  }

 private:
  int fail_from_;
  int commits_ = 0;
};

TEST(RunnerTest, CatchesUpCommitsAndResumesFromTheCheckpoint) {
  MemoryEventLog log;
  MemoryProjectionStore store;
  testing::AppendAll(log, Fleet(100));
  {
    FleetProjection fleet;
    ProjectionRunner runner(log, store, fleet, {.batch_size = 7});
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(runner.checkpoint().sequence, 101u);
    EXPECT_EQ(runner.events_applied(), 101u);
    EXPECT_EQ(runner.batches_committed(), 15u);  // ceil(101 / 7)
    EXPECT_EQ(fleet.Progress("r1")->summary, "50 of 100 agents received the new certificate");
  }
  testing::AppendAll(log, Fleet(10, 100));
  FleetProjection fleet;
  ProjectionRunner runner(log, store, fleet, {.batch_size = 7});
  ASSERT_TRUE(runner.Open().ok());
  EXPECT_EQ(fleet.Progress("r1")->summary, "50 of 100 agents received the new certificate");
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(runner.checkpoint().sequence, 111u);
  EXPECT_EQ(runner.events_applied(), 10u);  // only the new events
  EXPECT_EQ(fleet.Progress("r1")->summary, "55 of 110 agents received the new certificate");
  EXPECT_EQ(fleet.Dump(), AsOfDump(log, FoldLimit::Head()));
}

TEST(RunnerTest, FailedCommitLeavesTheLastCommittedStateAndResumeCountsOnce) {
  MemoryEventLog log;
  MemoryProjectionStore store;
  testing::AppendAll(log, Fleet(50));
  {
    FleetProjection fleet;
    FailingStore failing(store, 4);
    ProjectionRunner runner(log, failing, fleet, {.batch_size = 10});
    Status s = runner.CatchUp();
    EXPECT_EQ(s.code(), StatusCode::kIoError);
    EXPECT_EQ(runner.checkpoint().sequence, 30u);
    EXPECT_EQ(runner.status().code(), StatusCode::kIoError);
  }
  FleetProjection fleet;
  ProjectionRunner runner(log, store, fleet, {.batch_size = 10});
  ASSERT_TRUE(runner.Open().ok());
  EXPECT_EQ(fleet.Dump(), AsOfDump(log, FoldLimit::AtSequence(30)));
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(fleet.Dump(), AsOfDump(log, FoldLimit::Head()));
  EXPECT_EQ(fleet.Progress("r1")->summary, "25 of 50 agents received the new certificate");
}

TEST(RunnerTest, RebuildFromZeroReplacesTheStoredState) {
  testing::TempDir dir;
  MemoryEventLog log;
  testing::AppendAll(log, Fleet(40));
  auto store = RocksDbProjectionStore::Open(dir.Sub("store"));
  ASSERT_TRUE(store.ok());
  FleetProjection fleet;
  ProjectionRunner runner(log, **store, fleet, {.batch_size = 3});
  ASSERT_TRUE(runner.CatchUp().ok());
  std::string incremental = fleet.Dump();
  ASSERT_TRUE(runner.Rebuild().ok());
  EXPECT_EQ(fleet.Dump(), incremental);
  EXPECT_EQ(runner.checkpoint().sequence, 41u);
  // It keeps following after the rebuild, and the store holds the result.
  testing::AppendAll(log, Fleet(5, 40));
  ASSERT_TRUE(runner.CatchUp().ok());
  FleetProjection reloaded;
  ProjectionRunner reopened(log, **store, reloaded);
  ASSERT_TRUE(reopened.Open().ok());
  EXPECT_EQ(reloaded.Dump(), AsOfDump(log, FoldLimit::Head()));
  EXPECT_EQ(reloaded.Progress("r1")->summary, "23 of 45 agents received the new certificate");
}

TEST(RunnerTest, AsOfQueriesDoNotDisturbTheLiveProjection) {
  MemoryEventLog log;
  MemoryProjectionStore store;
  testing::AppendAll(log, Fleet(20));
  FleetProjection fleet;
  ProjectionRunner runner(log, store, fleet);
  ASSERT_TRUE(runner.CatchUp().ok());
  std::string live = fleet.Dump();
  auto at_seq = ComputeAsOf(log, FoldLimit::AtSequence(11));
  ASSERT_TRUE(at_seq.ok());
  EXPECT_EQ((*at_seq)->fleet.Progress("r1")->summary,
            "5 of 10 agents received the new certificate");
  // Agent i reports at At(i + 1): as of At(6), six agents had reported.
  for (FoldOptions options :
       {FoldOptions{.chunked_min_events = 1000000},
        FoldOptions{.chunked_min_events = 0, .reader_thread = false},
        FoldOptions{.chunked_min_events = 0, .reader_decodes_when_queued = 0},
        FoldOptions{.chunked_min_events = 0, .reader_decodes_when_queued = ~size_t{0}}}) {
    auto at_time = ComputeAsOf(log, FoldLimit::AtTime(At(6)), options);
    ASSERT_TRUE(at_time.ok());
    EXPECT_EQ((*at_time)->fleet.Progress("r1")->summary,
              "3 of 6 agents received the new certificate");
    EXPECT_EQ((*at_time)->folded.last.sequence, 7u);
  }
  EXPECT_EQ(fleet.Dump(), live);
  EXPECT_EQ(runner.checkpoint().sequence, 21u);
}

TEST(RunnerTest, GapIsDetectedReportedAndNeverSkipped) {
  GappyLog log(/*missing=*/6);
  MemoryProjectionStore store;
  testing::AppendAll(log, Fleet(10), 1);
  FleetProjection fleet;
  ProjectionRunner runner(log, store, fleet, {.batch_size = 2});
  Status s = runner.CatchUp();
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("gap"), std::string::npos) << s.ToString();
  EXPECT_TRUE(runner.gap_detected());
  EXPECT_EQ(runner.gaps(), 1u);
  EXPECT_EQ(runner.status().code(), StatusCode::kInternal);
  EXPECT_EQ(runner.checkpoint().sequence, 4u);  // batches [1,2] [3,4]; [5,7] has the gap
  EXPECT_EQ(runner.lag().events, 7u);
  // A rebuild and an as-of query refuse the gap too.
  EXPECT_EQ(runner.Rebuild().code(), StatusCode::kInternal);
  EXPECT_EQ(ComputeAsOf(log, FoldLimit::Head()).status().code(), StatusCode::kInternal);
  for (bool reader_thread : {false, true}) {
    FoldOptions chunked{.chunked_min_events = 0, .reader_thread = reader_thread};
    EXPECT_EQ(ComputeAsOf(log, FoldLimit::Head(), chunked).status().code(), StatusCode::kInternal);
  }
  EXPECT_EQ(runner.checkpoint().sequence, 4u);
}

TEST(RunnerTest, LagInEventsAndSecondsOfLogTime) {
  MemoryEventLog log;
  MemoryProjectionStore store;
  testing::AppendAll(log, Fleet(10));  // sequence 11 recorded at At(10)
  FleetProjection fleet;
  ProjectionRunner runner(log, store, fleet);
  ASSERT_TRUE(runner.CatchUp().ok());
  EXPECT_EQ(runner.lag().events, 0u);
  EXPECT_EQ(runner.lag().seconds, 0.0);
  testing::Append(log, Report("late", At(100), {kOld}), At(100));
  testing::Append(log, Report("later", At(130), {kOld}), At(130));
  Lag lag = runner.lag();
  EXPECT_EQ(lag.events, 2u);
  EXPECT_EQ(lag.seconds, 120.0);
}

TEST(RunnerTest, StoreBuiltFromAnotherLogIsRefused) {
  MemoryEventLog log, other;
  MemoryProjectionStore store;
  testing::AppendAll(log, Fleet(5));
  testing::AppendAll(other, Fleet(7, 1));  // different events, different hashes
  FleetProjection fleet;
  ProjectionRunner runner(log, store, fleet);
  ASSERT_TRUE(runner.CatchUp().ok());
  FleetProjection fleet2;
  ProjectionRunner wrong(other, store, fleet2);
  EXPECT_EQ(wrong.Open().code(), StatusCode::kFailedPrecondition);
  MemoryEventLog shorter;
  testing::AppendAll(shorter, Fleet(2));
  ProjectionRunner ahead(shorter, store, fleet2);
  EXPECT_EQ(ahead.Open().code(), StatusCode::kFailedPrecondition);
}

TEST(RunnerTest, UndecodableEventStopsTheRunnerAfterTheEventsBeforeIt) {
  MemoryEventLog log;
  MemoryProjectionStore store;
  testing::AppendAll(log, Fleet(3));
  AppendRequest bad;
  bad.stream_id = "x";
  bad.events.push_back(NewEvent{"rotor.v9.FromTheFuture", "\x01\x02", At(50), "?", "", ""});
  ASSERT_TRUE(log.Append(bad).ok());
  testing::AppendAll(log, Fleet(2, 3));
  FleetProjection fleet;
  ProjectionRunner runner(log, store, fleet, {.batch_size = 100});
  EXPECT_EQ(runner.CatchUp().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(runner.checkpoint().sequence, 4u);
  EXPECT_EQ(fleet.Progress("r1")->total, 3u);
}

// Every fold strategy stops at an undecodable event, whichever thread
// decodes it, with the events before it applied and none after it.
TEST(RunnerTest, UndecodableEventStopsEveryFoldAfterTheEventsBeforeIt) {
  MemoryEventLog log;
  testing::AppendAll(log, Fleet(900));  // sequences 1 to 901; the bad event is 902
  AppendRequest bad;
  bad.stream_id = "x";
  bad.events.push_back(NewEvent{"rotor.v9.FromTheFuture", "\x01\x02", At(950), "?", "", ""});
  ASSERT_TRUE(log.Append(bad).ok());
  testing::AppendAll(log, Fleet(700, 900));
  constexpr size_t kNever = ~size_t{0};
  for (FoldOptions options :
       {FoldOptions{.chunked_min_events = 1000000},
        FoldOptions{.chunked_min_events = 0, .reader_thread = false},
        FoldOptions{.chunked_min_events = 0, .reader_decodes_when_queued = 0},
        FoldOptions{.chunked_min_events = 0, .reader_decodes_when_queued = kNever},
        FoldOptions{.chunked_min_events = 0}}) {
    SCOPED_TRACE(::testing::Message() << "chunked " << (options.chunked_min_events == 0)
                                      << " threads " << options.reader_thread << " reader decodes "
                                      << options.reader_decodes_when_queued);
    FleetProjection fleet;
    Projection* one[] = {&fleet};
    Result<FoldResult> folded = FoldLog(log, 1, FoldLimit::Head(), one, options);
    EXPECT_EQ(folded.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(folded.status().message().find("sequence 902"), std::string::npos)
        << folded.status().ToString();
    EXPECT_EQ(fleet.Progress("r1")->total, 900u);
    EXPECT_EQ(fleet.last_sequence(), 901u);
    EXPECT_EQ(ComputeAsOf(log, FoldLimit::Head(), options).status().code(),
              StatusCode::kInvalidArgument);
    // Up to the event before it, every strategy folds the same.
    Result<FoldResult> before = FoldLog(log, 1, FoldLimit::AtSequence(901), one, options);
    ASSERT_TRUE(before.ok()) << before.status().ToString();
    EXPECT_EQ(before->last.sequence, 901u);
  }
}

TEST(RunnerTest, FollowsLiveAppendsOnItsThreadAndReadersSeeWholeBatches) {
  testing::TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
  ASSERT_TRUE(log.ok());
  auto store = RocksDbProjectionStore::Open(dir.Sub("store"), {.sync = false});
  ASSERT_TRUE(store.ok());
  std::mutex mu;
  std::condition_variable committed;
  uint64_t fleet_at = 0, audit_at = 0;
  std::set<uint64_t> fleet_commits = {0};  // the fleet runner's checkpoints, guarded by mu
  auto notify = [&](uint64_t* at) {
    return [&, at](const Checkpoint& cp) {
      std::lock_guard<std::mutex> lock(mu);
      *at = cp.sequence;
      if (at == &fleet_at) fleet_commits.insert(cp.sequence);
      committed.notify_all();
    };
  };
  AuditProjection audit;
  FleetProjection fleet;
  ProjectionRunner runner(
      **log, **store, fleet,
      {.batch_size = 16, .wait = std::chrono::milliseconds(50), .on_commit = notify(&fleet_at)});
  ProjectionRunner audit_runner(
      **log, **store, audit,
      {.batch_size = 5, .wait = std::chrono::milliseconds(50), .on_commit = notify(&audit_at)});
  // A reader reads while the runner applies: it must only ever see the state
  // at a batch's end (a commit), and that state must be the fold up to it.
  // In Fleet(), sequence 1 starts r1 and sequence 2 + g reports agent g,
  // which holds the new certificate when g is even.
  std::atomic<bool> reading{true};
  std::vector<uint64_t> seen;  // the reader's thread only, until it is joined
  std::atomic<int> inconsistent{0};
  std::thread reader([&] {
    while (reading.load()) {
      auto [at, total, received] = runner.Read([&] {
        std::optional<RolloutProgress> p = fleet.Progress("r1");
        return std::tuple(fleet.last_sequence(), p ? p->total : 0, p ? p->received : 0);
      });
      if (seen.empty() || seen.back() != at) seen.push_back(at);
      if (at >= 1 && (total != at - 1 || received != at / 2)) ++inconsistent;
    }
  });
  runner.Start();
  audit_runner.Start();
  for (int round = 0; round < 5; ++round) {
    uint64_t head = testing::AppendAll(**log, Fleet(20, round * 20), 3);
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(committed.wait_for(lock, std::chrono::seconds(30),
                                   [&] { return fleet_at >= head && audit_at >= head; }));
  }
  runner.Stop();
  audit_runner.Stop();
  reading = false;
  reader.join();
  EXPECT_EQ(inconsistent.load(), 0) << "a reader saw a state that is no fold of the log";
  for (uint64_t at : seen) {
    EXPECT_EQ(fleet_commits.count(at), 1u) << "a reader saw sequence " << at << ", inside a batch";
  }
  EXPECT_TRUE(runner.status().ok());
  EXPECT_EQ(runner.Read([&] { return fleet.Progress("r1")->summary; }),
            "50 of 100 agents received the new certificate");
  EXPECT_EQ(audit_runner.checkpoint().sequence, (*log)->Head());
  EXPECT_EQ(audit.Timeline("r1").size(), 1u);
  EXPECT_EQ(audit.Timeline("r1")[0].actor, "alice");
}

}  // namespace
}  // namespace rotor::projections
