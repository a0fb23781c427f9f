// The EventLog conformance suite, part 3: concurrent appenders. The global
// sequence stays gapless, every stream's versions stay contiguous, optimistic
// concurrency admits exactly one writer per version, and an idempotency key
// used by several appenders at once is written once. Every test runs against
// MemoryEventLog and RocksDbEventLog (whose appenders share group commits).
#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "events/verify.h"
#include "tests/events/event_log_test_util.h"

namespace rotor::testing {
namespace {

constexpr int kThreads = 8;

template <typename Log>
using EventLogConcurrencyTest = EventLogTest<Log>;
TYPED_TEST_SUITE(EventLogConcurrencyTest, EventLogImplementations, EventLogName);

TYPED_TEST(EventLogConcurrencyTest, ConcurrentAppendersGetAGaplessSequence) {
  constexpr int kAppendsPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  // Head() never moves backwards while appenders race.
  std::atomic<bool> done{false};
  std::atomic<uint64_t> regressions{0};
  std::thread observer([&] {
    uint64_t last = 0;
    while (!done.load()) {
      uint64_t head = this->log().Head();
      if (head < last) ++regressions;
      last = std::max(last, head);
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string stream = "stream-" + std::to_string(t);
      for (int i = 0; i < kAppendsPerThread; ++i) {
        // Batches of 1..3 events with an exact expected version.
        std::vector<std::string> payloads;
        for (int k = 0; k <= i % 3; ++k) payloads.push_back(stream + "/" + std::to_string(i));
        uint64_t version = static_cast<uint64_t>(i / 3 * 6 + (i % 3) * (i % 3 + 1) / 2);
        auto r = this->log().Append(Request(stream, ExpectedVersion::Exact(version), payloads));
        if (!r.ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  done = true;
  observer.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(regressions.load(), 0u);

  // Each thread appended 40 batches of sizes 1,2,3,1,2,3,...: 13*6 + 1 = 79 events.
  const uint64_t kPerStream = 79;
  const uint64_t total = kPerStream * kThreads;
  EXPECT_EQ(this->log().Head(), total);
  std::vector<RecordedEvent> all = ReadAll(this->log());
  ASSERT_EQ(all.size(), total);
  std::map<std::string, uint64_t> last_version;
  for (uint64_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].sequence, i + 1);
    uint64_t& v = last_version[all[i].stream_id];
    ASSERT_EQ(all[i].stream_version, v + 1) << "sequence " << all[i].sequence;
    v = all[i].stream_version;
  }
  ASSERT_EQ(last_version.size(), static_cast<size_t>(kThreads));
  for (const auto& [stream, version] : last_version) {
    EXPECT_EQ(version, kPerStream) << stream;
    EXPECT_EQ(*this->log().StreamVersion(stream), kPerStream) << stream;
  }
  auto report = Verify(this->log());
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, total);
}

TYPED_TEST(EventLogConcurrencyTest, OptimisticConcurrencyAdmitsOneWriterPerVersion) {
  // The command-service loop: read the version, append with it, retry on conflict.
  constexpr int kAppendsPerThread = 25;
  std::atomic<int> conflicts{0};
  std::atomic<int> other_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread;) {
        auto version = this->log().StreamVersion("shared");
        if (!version.ok()) {
          ++other_errors;
          return;
        }
        std::string payload = std::to_string(t) + "/" + std::to_string(i);
        auto r = this->log().Append(Request("shared", ExpectedVersion::Exact(*version), {payload}));
        if (r.ok()) {
          ++i;
        } else if (r.status().code() == StatusCode::kConflict) {
          ++conflicts;
        } else {
          ++other_errors;
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(other_errors.load(), 0);
  const uint64_t total = uint64_t{kThreads} * kAppendsPerThread;
  EXPECT_EQ(this->log().Head(), total);
  EXPECT_EQ(*this->log().StreamVersion("shared"), total);
  std::vector<RecordedEvent> events;
  ASSERT_OK(this->log().ReadStream("shared", 1, total + 1, &events));
  ASSERT_EQ(events.size(), total);
  // Each thread's payloads appear once each, in its own order.
  std::map<std::string, int> next_of_thread;
  for (uint64_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].stream_version, i + 1);
    std::string thread = events[i].payload.substr(0, events[i].payload.find('/'));
    int& next = next_of_thread[thread];
    EXPECT_EQ(events[i].payload, thread + "/" + std::to_string(next));
    ++next;
  }
}

TYPED_TEST(EventLogConcurrencyTest, ConcurrentAppendsWithOneIdempotencyKeyWriteOnce) {
  for (int round = 0; round < 20; ++round) {
    std::string key = "report-" + std::to_string(round);
    std::vector<Result<AppendResult>> results(kThreads, Status::Internal("not run"));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        results[t] = this->log().Append(
            Request("agent-" + std::to_string(t), ExpectedVersion::Any(), {"a", "b"}, key));
      });
    }
    for (std::thread& t : threads) t.join();
    int originals = 0;
    for (const auto& r : results) {
      ASSERT_OK(r);
      if (!r->duplicate) ++originals;
      EXPECT_EQ(r->first_sequence, uint64_t(2 * round + 1));
      EXPECT_EQ(r->last_sequence, uint64_t(2 * round + 2));
      EXPECT_EQ(r->stream_version, results[0]->stream_version);
    }
    EXPECT_EQ(originals, 1) << "round " << round;
    EXPECT_EQ(this->log().Head(), uint64_t(2 * round + 2));
  }
  auto report = Verify(this->log());
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
}

}  // namespace
}  // namespace rotor::testing
