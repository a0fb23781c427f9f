// Projection snapshots (projections/snapshot.h): the runner takes them at
// multiples of N; an as-of query that starts from them answers exactly what a
// fold from zero answers, and skips a damaged, missing, foreign or
// older-format snapshot for an earlier one.
#include "projections/snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <random>
#include <thread>

#include "events/memory_event_log.h"
#include "projections/memory_store.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "tests/projections/forwarding_store.h"
#include "tests/projections/history_gen.h"

namespace rotor::projections {
namespace {

using testing::At;

// Runs the fleet and audit runners over `log` into `store`, taking snapshots.
void Project(const EventLog& log, ProjectionStore& store, uint64_t every, size_t batch,
             size_t dense = 1000) {
  FleetProjection fleet;
  AuditProjection audit;
  RunnerOptions options{.batch_size = batch, .snapshot_every_events = every};
  options.snapshots_dense = dense;
  ProjectionRunner fleet_runner(log, store, fleet, options);
  ProjectionRunner audit_runner(log, store, audit, options);
  ASSERT_TRUE(fleet_runner.CatchUp().ok());
  ASSERT_TRUE(audit_runner.CatchUp().ok());
}

std::string Dump(const ReadModels& m) { return m.fleet.Dump() + m.audit.Dump(); }

// The as-of answer from zero and from the snapshots must be the same; returns
// the snapshot the latter started from.
uint64_t ExpectSameAsOf(const EventLog& log, const ProjectionStore& store, const FoldLimit& limit,
                        const std::string& what) {
  Result<std::unique_ptr<ReadModels>> zero = ComputeAsOf(log, limit);
  Result<std::unique_ptr<ReadModels>> fast = ComputeAsOf(log, limit, {}, &store);
  EXPECT_TRUE(zero.ok() && fast.ok()) << what;
  if (!zero.ok() || !fast.ok()) return 0;
  EXPECT_EQ(Dump(**zero), Dump(**fast)) << what;
  EXPECT_EQ((*zero)->folded.last, (*fast)->folded.last) << what;
  return (*fast)->snapshot.sequence;
}

// A random history whose recorded_at goes back now and then (clocks do).
std::vector<testing::TimedEvent> History(uint64_t seed, size_t events) {
  std::mt19937_64 rng(seed);
  std::vector<testing::TimedEvent> history = testing::RandomHistory(
      seed, {.events = events, .agents = 15, .fingerprints = 5, .rollouts = 4});
  for (testing::TimedEvent& e : history) {
    if (rng() % 5 == 0) e.at -= std::chrono::seconds(rng() % 7200);
  }
  return history;
}

TEST(SnapshotTest, AsOfFromSnapshotsEqualsAsOfFromZero) {
  uint64_t used = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::mt19937_64 rng(seed * 31);
    auto pick = [&](uint64_t lo, uint64_t hi) {
      return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
    };
    MemoryEventLog log;
    MemoryProjectionStore store;
    std::vector<testing::TimedEvent> history = History(seed, pick(20, 300));
    uint64_t every = pick(3, 40);
    // Appended and projected in pieces: runners restart between them.
    for (size_t first = 0; first < history.size();) {
      size_t n = std::min<size_t>(history.size() - first, pick(1, 120));
      testing::AppendAll(log, {history.begin() + first, history.begin() + first + n}, pick(1, 9));
      first += n;
      Project(log, store, every, pick(1, 50), pick(1, 6));
    }
    for (int q = 0; q < 8; ++q) {
      uint64_t seq = pick(0, log.Head() + 2);
      FoldLimit limit = FoldLimit::AtSequence(seq);
      if (pick(0, 1) == 0) {  // a time around an event's
        RecordedEvent at;
        ASSERT_TRUE(log.ReadOne(std::max<uint64_t>(1, std::min(seq, log.Head())), &at).ok());
        limit = FoldLimit::AtTime(at.recorded_at + std::chrono::seconds(pick(0, 600)) -
                                  std::chrono::seconds(300));
      }
      std::string what = "seed " + std::to_string(seed) + " query " + std::to_string(q);
      used += ExpectSameAsOf(log, store, limit, what) > 0 ? 1 : 0;
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(used, 1000u);  // the snapshots were used, not skipped
}

// 105 events, snapshots at 10, 20, ..., 100, every one kept.
class SnapshotDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::AppendAll(log_, testing::RandomHistory(7, {.events = 105}), 3);
    Project(log_, store_, 10, 7);
  }
  uint64_t AsOfHead(const std::string& what) {
    return ExpectSameAsOf(log_, store_, FoldLimit::Head(), what);
  }
  MemoryEventLog log_;
  MemoryProjectionStore store_;
};

TEST_F(SnapshotDamageTest, RunnerTookEverySnapshotAndTheNewestIsUsed) {
  std::vector<uint64_t> expected = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  EXPECT_EQ(*store_.ListSnapshots("fleet"), expected);
  EXPECT_EQ(*store_.ListSnapshots("audit"), expected);
  EXPECT_EQ(AsOfHead("head"), 100u);
  EXPECT_EQ(ExpectSameAsOf(log_, store_, FoldLimit::AtSequence(99), "at 99"), 90u);
  EXPECT_EQ(ExpectSameAsOf(log_, store_, FoldLimit::AtSequence(9), "at 9"), 0u);
  Result<std::unique_ptr<ReadModels>> fast = ComputeAsOf(log_, FoldLimit::Head(), {}, &store_);
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ((*fast)->folded.events, 5u);  // 101..105
}

TEST_F(SnapshotDamageTest, AByteFlippedAnywhereIsDetectedAndAnEarlierSnapshotUsed) {
  for (const char* name : {"fleet", "audit"}) {
    std::string* bytes = store_.MutableSnapshot(name, 100);
    ASSERT_NE(bytes, nullptr);
    for (size_t i = 0; i < bytes->size(); ++i) {
      (*bytes)[i] = static_cast<char>((*bytes)[i] ^ (1 << (i % 8)));
      std::string what = std::string(name) + " byte " + std::to_string(i);
      EXPECT_FALSE(DecodeSnapshot(*bytes).ok()) << what;
      EXPECT_EQ(AsOfHead(what), 90u) << what;
      (*bytes)[i] = static_cast<char>((*bytes)[i] ^ (1 << (i % 8)));
      if (HasFailure()) return;
    }
    EXPECT_EQ(AsOfHead("repaired"), 100u);
  }
}

TEST_F(SnapshotDamageTest, AMissingSnapshotFallsBackToAnEarlierOne) {
  ASSERT_TRUE(store_.DeleteSnapshot("fleet", 100).ok());
  EXPECT_EQ(AsOfHead("fleet 100 deleted"), 90u);
  ASSERT_TRUE(store_.DeleteSnapshot("audit", 90).ok());
  EXPECT_EQ(AsOfHead("audit 90 deleted too"), 80u);
  for (uint64_t s = 10; s <= 100; s += 10) ASSERT_TRUE(store_.DeleteSnapshot("fleet", s).ok());
  EXPECT_EQ(AsOfHead("no fleet snapshot"), 0u);
}

TEST_F(SnapshotDamageTest, ASnapshotOfAnotherLogIsNotUsed) {
  MemoryEventLog other;
  MemoryProjectionStore other_store;
  testing::AppendAll(other, testing::RandomHistory(8, {.events = 105}), 3);
  Project(other, other_store, 10, 7);
  ASSERT_TRUE(store_.PutSnapshot("fleet", 100, *other_store.ReadSnapshot("fleet", 100)).ok());
  EXPECT_EQ(AsOfHead("fleet 100 from another log"), 90u);
  for (uint64_t s = 10; s <= 100; s += 10) {
    ASSERT_TRUE(store_.PutSnapshot("fleet", s, *other_store.ReadSnapshot("fleet", s)).ok());
  }
  EXPECT_EQ(AsOfHead("every fleet snapshot from another log"), 0u);
}

TEST_F(SnapshotDamageTest, ASnapshotOfAnotherFormatVersionIsIgnored) {
  std::string* bytes = store_.MutableSnapshot("fleet", 100);
  ASSERT_EQ((*bytes)[4], static_cast<char>(kSnapshotFormat));
  (*bytes)[4] = static_cast<char>(kSnapshotFormat - 1);
  Result<std::unique_ptr<SnapshotReader>> decoded = DecodeSnapshot(*bytes);
  EXPECT_EQ(decoded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(decoded.status().message().find("format version 0"), std::string::npos);
  EXPECT_EQ(AsOfHead("fleet 100 of format 0"), 90u);
}

TEST(SnapshotTest, AnEventBeforeTheSnapshotRecordedAfterTheTimeLimitRulesItOut) {
  // Event 45 is dated a day ahead (a clock that jumped): a fold by time up
  // to event 60's time stops before 45, so the snapshots at 50 and 60 (each
  // recorded before that time) do not fit; 40 does.
  std::vector<testing::TimedEvent> history = testing::RandomHistory(9, {.events = 80});
  history[44].at += std::chrono::hours(24);
  MemoryEventLog log;
  MemoryProjectionStore store;
  testing::AppendAll(log, history, 1);
  Project(log, store, 10, 4);
  RecordedEvent sixty;
  ASSERT_TRUE(log.ReadOne(60, &sixty).ok());
  EXPECT_EQ(ExpectSameAsOf(log, store, FoldLimit::AtTime(sixty.recorded_at), "time of 60"), 40u);
}

TEST(SnapshotTest, ThinningKeepsTheNewestDenselyAndOlderOnesSparsely) {
  std::vector<uint64_t> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(SnapshotsToThin(ten, 1, 2), (std::vector<uint64_t>{1, 2, 3, 5, 6, 7}));
  EXPECT_TRUE(SnapshotsToThin(ten, 1, 10).empty());
  // Thinning after each of 5000 snapshots: the newest 16 all stay; at most
  // 16 + 8 per doubling of age; the gap above a kept snapshot of age a is at
  // most a / 8 + 2 snapshots.
  std::vector<uint64_t> kept;
  for (uint64_t i = 1; i <= 5000; ++i) {
    kept.push_back(i * 1000);
    std::vector<uint64_t> gone = SnapshotsToThin(kept, 1000, 16);
    std::erase_if(kept,
                  [&](uint64_t s) { return std::binary_search(gone.begin(), gone.end(), s); });
  }
  ASSERT_GE(kept.size(), 16u);
  for (size_t j = 0; j < 16; ++j) EXPECT_EQ(kept[kept.size() - 1 - j], (5000 - j) * 1000);
  EXPECT_LE(kept.size(), 16u + 8 * 9);
  for (size_t j = 1; j < kept.size(); ++j) {
    uint64_t age = 5000 - kept[j - 1] / 1000;  // of the older one
    EXPECT_LE((kept[j] - kept[j - 1]) / 1000, age / 8 + 2) << kept[j];
  }
}

// docs/storage.md: with the runner's default thinning, the newest 64
// snapshots all stay, and any moment of a log of n snapshots has a kept
// snapshot at most n / 32 (+ 2) snapshots before it, so an as-of query folds
// at most about 1/32 of the log; about 64 + 32 log2(n / 64) are kept.
TEST(SnapshotTest, DefaultThinningKeepsAsOfFoldsWithinAThirtySecondOfTheLog) {
  const size_t dense = RunnerOptions{}.snapshots_dense;
  ASSERT_EQ(dense, 64u);
  std::vector<uint64_t> kept;
  for (uint64_t n = 1; n <= 4000; ++n) {
    kept.push_back(n * 250000);
    std::vector<uint64_t> gone = SnapshotsToThin(kept, 250000, dense);
    std::erase_if(kept,
                  [&](uint64_t s) { return std::binary_search(gone.begin(), gone.end(), s); });
    if (n == 40) {
      EXPECT_EQ(kept.size(), 40u);  // rotor-bench history's 10,000,000 events: all kept
    }
    ASSERT_GE(kept.size(), std::min<size_t>(n, dense));
    for (size_t j = 0; j < std::min<size_t>(n, dense); ++j) {
      ASSERT_EQ(kept[kept.size() - 1 - j], (n - j) * 250000) << n;
    }
    uint64_t gap = kept.front() / 250000;  // from the start of the log
    for (size_t j = 1; j < kept.size(); ++j) gap = std::max(gap, (kept[j] - kept[j - 1]) / 250000);
    ASSERT_LE(gap, n / 32 + 2) << "after " << n << " snapshots";
  }
  EXPECT_LE(kept.size(), 64u + 32 * 6);  // log2(4000 / 64) < 6
}

// Forwards to a MemoryProjectionStore; PutSnapshot waits until Release(): a
// snapshot that takes long to write.
class GatedStore final : public ForwardingStore {
 public:
  GatedStore() : ForwardingStore(inner_) {}
  void Release() { gate_.set_value(); }
  bool writing() const { return writing_.load(); }
  const MemoryProjectionStore& inner() const { return inner_; }
  Status PutSnapshot(std::string_view name, uint64_t sequence, std::string_view bytes) override {
    writing_.store(true);
    released_.wait();
    return ForwardingStore::PutSnapshot(name, sequence, bytes);
  }

 private:
  MemoryProjectionStore inner_;
  std::promise<void> gate_;
  std::shared_future<void> released_ = gate_.get_future().share();
  std::atomic<bool> writing_{false};
};

// Polls `done` until it holds or a minute passes.
bool Eventually(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(SnapshotTest, WritingASnapshotDoesNotStallTheRunner) {
  MemoryEventLog log;
  testing::AppendAll(log, History(11, 40), 5);
  ASSERT_EQ(log.Head(), 40u);
  GatedStore store;
  FleetProjection fleet;
  ProjectionRunner runner(log, store, fleet, {.batch_size = 3, .snapshot_every_events = 10});
  runner.Start();
  // The snapshot at 10 is held in PutSnapshot, and the runner commits on to
  // 20, where the next snapshot waits for it.
  bool went_on = Eventually([&] { return store.writing() && runner.checkpoint().sequence >= 20; });
  EXPECT_EQ(runner.snapshots_taken(), 0u);
  store.Release();
  ASSERT_TRUE(went_on) << "the runner stopped at " << runner.checkpoint().sequence;
  ASSERT_TRUE(Eventually([&] { return runner.checkpoint().sequence == 40; }));
  runner.Stop();  // waits for the snapshot at 40
  EXPECT_EQ(runner.snapshots_taken(), 4u);
  EXPECT_EQ(*store.ListSnapshots("fleet"), (std::vector<uint64_t>{10, 20, 30, 40}));
  // Each is the state at its sequence, not a later one.
  for (uint64_t at : {10u, 20u, 30u}) {
    ExpectSameAsOf(log, store.inner(), FoldLimit::AtSequence(at), "at " + std::to_string(at));
  }
}

TEST(SnapshotTest, RocksDbStoreKeepsSnapshotsDurablyInChunks) {
  testing::TempDir dir;
  std::string big(3 * (1 << 20) + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  {
    auto store = RocksDbProjectionStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->PutSnapshot("fleet", 2000, big).ok());
    ASSERT_TRUE((*store)->PutSnapshot("fleet", 1000, "small").ok());
    ASSERT_TRUE((*store)->PutSnapshot("audit", 1000, "audit").ok());
    EXPECT_EQ((*store)->NewBatch("~snapshots").status().code(), StatusCode::kInvalidArgument);
  }
  auto store = RocksDbProjectionStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->ListSnapshots("fleet"), (std::vector<uint64_t>{1000, 2000}));
  EXPECT_EQ(*(*store)->ReadSnapshot("fleet", 2000), big);
  ASSERT_TRUE((*store)->PutSnapshot("fleet", 2000, "replaced").ok());
  EXPECT_EQ(*(*store)->ReadSnapshot("fleet", 2000), "replaced");
  ASSERT_TRUE((*store)->DeleteSnapshot("fleet", 2000).ok());
  EXPECT_EQ((*store)->ReadSnapshot("fleet", 2000).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*(*store)->ListSnapshots("fleet"), (std::vector<uint64_t>{1000}));
  EXPECT_EQ(*(*store)->ReadSnapshot("audit", 1000), "audit");
}

// A snapshot is written to a file that RocksDB then ingests; one that a crash
// left before its ingestion is not a snapshot, and the next Open removes it.
TEST(SnapshotTest, ASnapshotFileACrashLeftIsRemovedAtOpen) {
  testing::TempDir dir;
  { ASSERT_TRUE(RocksDbProjectionStore::Open(dir.path()).ok()); }
  std::filesystem::path left =
      std::filesystem::path(dir.path()) / (std::string(kSnapshotIngestPrefix) + "2000-0.sst");
  std::ofstream(left) << "half a table file";
  auto store = RocksDbProjectionStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(std::filesystem::exists(left));
  EXPECT_TRUE((*store)->ListSnapshots("fleet")->empty());
  ASSERT_TRUE((*store)->PutSnapshot("fleet", 2000, "whole").ok());
  EXPECT_EQ(*(*store)->ReadSnapshot("fleet", 2000), "whole");
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(kSnapshotIngestPrefix))
        << entry.path() << " was left after the snapshot was ingested";
  }
}

TEST(SnapshotTest, AsOfFromSnapshotsOnTheRocksDbStore) {
  testing::TempDir dir;
  for (uint64_t seed = 500; seed < 510; ++seed) {
    auto store = RocksDbProjectionStore::Open(dir.Sub(std::to_string(seed)), {.sync = false});
    ASSERT_TRUE(store.ok());
    MemoryEventLog log;
    testing::AppendAll(log, History(seed, 400), 5);
    Project(log, **store, 25, 11, 4);
    EXPECT_LE(store->get()->ListSnapshots("fleet")->size(), 4u + 2 * 2);
    for (uint64_t seq = 0; seq <= log.Head(); seq += 37) {
      std::string what = "seed " + std::to_string(seed) + " at " + std::to_string(seq);
      ExpectSameAsOf(log, **store, FoldLimit::AtSequence(seq), what);
    }
    EXPECT_EQ(ExpectSameAsOf(log, **store, FoldLimit::Head(), "head"), 400u);
  }
}

}  // namespace
}  // namespace rotor::projections
