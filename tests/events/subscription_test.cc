// CatchUpSubscription against every EventLog implementation: historical
// events first, then live ones woken by appends (no polling), batches bounded
// by batch_capacity, Cancel, and Close waking a waiting subscriber.
#include "events/subscription.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "events/record.h"
#include "tests/events/event_log_test_util.h"

namespace rotor::testing {
namespace {

using std::chrono::milliseconds;

// Long enough that a test only reaches it when a wake-up is lost.
constexpr milliseconds kLongWait{60000};

template <typename Log>
class SubscriptionTest : public EventLogTest<Log> {
 protected:
  void AppendN(int n, const std::string& stream = "s") {
    for (int i = 0; i < n; ++i) {
      ASSERT_OK(this->log().Append(Request(stream, ExpectedVersion::Any(), {std::to_string(i)})));
    }
  }
};
TYPED_TEST_SUITE(SubscriptionTest, EventLogImplementations, EventLogName);

TYPED_TEST(SubscriptionTest, DeliversHistoryInBatchesThenTimesOutEmpty) {
  this->AppendN(5);
  CatchUpSubscription sub(this->log(), 1, 2);
  EXPECT_EQ(sub.position(), 1u);
  EXPECT_EQ(sub.lag(), 5u);
  std::vector<RecordedEvent> batch;
  std::vector<std::vector<uint64_t>> batches;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(sub.Next(&batch, milliseconds(0)));
    batches.push_back(SequencesOf(batch));
  }
  EXPECT_EQ(batches, (std::vector<std::vector<uint64_t>>{{1, 2}, {3, 4}, {5}}));
  EXPECT_EQ(sub.position(), 6u);
  EXPECT_EQ(sub.lag(), 0u);
  ASSERT_OK(sub.Next(&batch, milliseconds(1)));
  EXPECT_TRUE(batch.empty());
}

TYPED_TEST(SubscriptionTest, StartsFromTheGivenPosition) {
  this->AppendN(5);
  CatchUpSubscription sub(this->log(), 4);
  std::vector<RecordedEvent> batch;
  ASSERT_OK(sub.Next(&batch, milliseconds(0)));
  EXPECT_EQ(SequencesOf(batch), (std::vector<uint64_t>{4, 5}));
  CatchUpSubscription from_zero(this->log(), 0);
  ASSERT_OK(from_zero.Next(&batch, milliseconds(0)));
  EXPECT_EQ(batch.size(), 5u);
  EXPECT_EQ(batch.front().sequence, 1u);
}

TYPED_TEST(SubscriptionTest, BatchCapacityBoundsEveryBatch) {
  this->AppendN(10);
  CatchUpSubscription sub(this->log(), 1, 3);
  std::vector<RecordedEvent> batch;
  std::vector<size_t> sizes;
  for (;;) {
    ASSERT_OK(sub.Next(&batch, milliseconds(0)));
    if (batch.empty()) break;
    sizes.push_back(batch.size());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 3, 1}));
  CatchUpSubscription one(this->log(), 1, 0);  // capacity 0 means 1
  ASSERT_OK(one.Next(&batch, milliseconds(0)));
  EXPECT_EQ(batch.size(), 1u);
}

// Next reuses the events of earlier batches (their strings keep their
// buffers): every field of a reused event is the new record's, whether the
// old one's was longer, shorter or empty, and batches shrink and grow.
TYPED_TEST(SubscriptionTest, ReusedEventsHoldOnlyTheNewRecordsFields) {
  auto append = [&](int i) {
    bool big = i % 2 == 0;
    AppendRequest r;
    r.stream_id = big ? "a-stream-id-longer-than-fifteen-bytes-" + std::to_string(i) : "s";
    r.idempotency_key = big ? "an-idempotency-key-of-some-length-" + std::to_string(i) : "";
    NewEvent e = TestEvent(big ? std::string(300, static_cast<char>('a' + i)) : "p",
                           big ? "test.AnEventTypeLongerThanFifteen" : "t.S");
    e.actor = big ? "an-actor-with-a-long-name" : "";
    e.correlation_id = big ? "a-long-correlation-id-of-the-request" : "";
    e.causation_id = big ? "cause" : "";
    e.recorded_at = TestTime(i);
    r.events.push_back(std::move(e));
    ASSERT_OK(this->log().Append(r));
  };
  for (int i = 0; i < 7; ++i) append(i);
  CatchUpSubscription sub(this->log(), 1, 3);
  std::vector<RecordedEvent> batch;
  std::vector<std::string> delivered;
  std::vector<size_t> sizes;
  auto drain = [&] {
    for (;;) {
      ASSERT_OK(sub.Next(&batch, milliseconds(0)));
      if (batch.empty()) return;
      sizes.push_back(batch.size());
      for (const RecordedEvent& e : batch) delivered.push_back(EncodeEnvelope(e));
    }
  };
  drain();    // 3, 3, 1
  append(7);  // shrinks to one odd record after a batch of three
  drain();    // 1
  for (int i = 8; i < 13; ++i) append(i);
  drain();  // 3, 2: grows again from the spares
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 1, 1, 3, 2}));
  std::vector<std::string> expected;
  for (const RecordedEvent& e : ReadAll(this->log())) expected.push_back(EncodeEnvelope(e));
  ASSERT_EQ(delivered.size(), 13u);
  EXPECT_EQ(delivered, expected);
}

TYPED_TEST(SubscriptionTest, NextStoredHandsOnTheStoredBytesInBatches) {
  this->AppendN(5);
  std::vector<RecordedEvent> decoded;
  ASSERT_OK(this->log().Read(1, Direction::kForward, 5, &decoded));
  CatchUpSubscription sub(this->log(), 2, 3);
  std::vector<uint64_t> sequences;
  size_t count = 0;
  auto visit = [&](uint64_t sequence, std::string_view stored) {
    RecordedEvent e;
    Status s = DecodeStoredRecord(sequence, stored, &e);
    if (s.ok()) {
      EXPECT_EQ(e.hash, decoded[sequence - 1].hash);
      sequences.push_back(sequence);
    }
    return s;
  };
  ASSERT_OK(sub.NextStored(milliseconds(0), visit, &count));
  EXPECT_EQ(count, 3u);
  ASSERT_OK(sub.NextStored(milliseconds(0), visit, &count));
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(sequences, (std::vector<uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(sub.position(), 6u);
  ASSERT_OK(sub.NextStored(milliseconds(1), visit, &count));
  EXPECT_EQ(count, 0u);
  sub.Cancel();
  EXPECT_EQ(sub.NextStored(milliseconds(0), visit, &count).code(), StatusCode::kCancelled);
}

TYPED_TEST(SubscriptionTest, NextStoredStopsAtTheVisitorsErrorAndResumesThere) {
  this->AppendN(4);
  CatchUpSubscription sub(this->log(), 1);
  size_t count = 0;
  Status refused = sub.NextStored(
      milliseconds(0),
      [](uint64_t sequence, std::string_view) {
        return sequence == 3 ? Status::InvalidArgument("no 3") : Status::Ok();
      },
      &count);
  EXPECT_EQ(refused.message(), "no 3");
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(sub.position(), 3u);
  std::vector<RecordedEvent> rest;
  ASSERT_OK(sub.Next(&rest, milliseconds(0)));
  EXPECT_EQ(SequencesOf(rest), (std::vector<uint64_t>{3, 4}));
}

TYPED_TEST(SubscriptionTest, LiveAppendWakesAWaitingSubscriber) {
  this->AppendN(2);
  CatchUpSubscription sub(this->log(), 1);
  std::vector<RecordedEvent> batch;
  ASSERT_OK(sub.Next(&batch, milliseconds(0)));
  ASSERT_EQ(batch.size(), 2u);
  for (int round = 0; round < 5; ++round) {
    // The appender may run before or after Next starts waiting; either way Next
    // must return the new event long before kLongWait.
    std::thread appender([&] {
      ASSERT_OK(this->log().Append(
          Request("live", ExpectedVersion::Any(), {"live-" + std::to_string(round)})));
    });
    auto start = std::chrono::steady_clock::now();
    Status s = sub.Next(&batch, kLongWait);
    auto waited = std::chrono::steady_clock::now() - start;
    appender.join();
    ASSERT_OK(s);
    ASSERT_EQ(batch.size(), 1u) << "round " << round;
    EXPECT_EQ(batch[0].sequence, uint64_t(3 + round));
    EXPECT_EQ(batch[0].payload, "live-" + std::to_string(round));
    EXPECT_LT(waited, kLongWait / 2);
  }
}

TYPED_TEST(SubscriptionTest, HistoricalThenLiveInOrderWithoutGapsOrDuplicates) {
  constexpr int kHistory = 30;
  constexpr int kLive = 200;
  this->AppendN(kHistory);
  std::thread appender([&] { this->AppendN(kLive, "live"); });
  CatchUpSubscription sub(this->log(), 1, 7);
  std::vector<uint64_t> seen;
  std::vector<RecordedEvent> batch;
  while (seen.size() < kHistory + kLive) {
    Status s = sub.Next(&batch, kLongWait);
    if (!s.ok() || batch.empty()) {
      ADD_FAILURE() << "Next: " << s.ToString() << " after " << seen.size() << " events";
      break;
    }
    EXPECT_LE(batch.size(), 7u);
    for (const RecordedEvent& e : batch) seen.push_back(e.sequence);
  }
  appender.join();
  ASSERT_EQ(seen.size(), size_t{kHistory + kLive});
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i + 1);
}

TYPED_TEST(SubscriptionTest, CancelledSubscriptionReturnsCancelled) {
  this->AppendN(3);
  CatchUpSubscription sub(this->log(), 1);
  sub.Cancel();
  std::vector<RecordedEvent> batch(1);
  Status s = sub.Next(&batch, milliseconds(0));
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(sub.position(), 1u);
}

TYPED_TEST(SubscriptionTest, CancelWakesAWaitingSubscriber) {
  this->AppendN(1);
  CatchUpSubscription sub(this->log(), 2);
  std::thread canceller([&] {
    while (this->log().waiters() == 0) std::this_thread::yield();  // Next is waiting
    sub.Cancel();
  });
  std::vector<RecordedEvent> batch;
  auto start = std::chrono::steady_clock::now();
  Status s = sub.Next(&batch, kLongWait);
  auto waited = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_TRUE(batch.empty());
  EXPECT_LT(waited, kLongWait / 2);
  EXPECT_FALSE(this->log().closed()) << "the log stays open for others";
}

TYPED_TEST(SubscriptionTest, CloseWakesAWaitingSubscriber) {
  this->AppendN(1);
  CatchUpSubscription sub(this->log(), 2);
  std::thread closer([&] {
    while (this->log().waiters() == 0) std::this_thread::yield();  // Next is waiting
    this->log().Close();
  });
  std::vector<RecordedEvent> batch;
  auto start = std::chrono::steady_clock::now();
  Status s = sub.Next(&batch, kLongWait);
  auto waited = std::chrono::steady_clock::now() - start;
  closer.join();
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_TRUE(batch.empty());
  EXPECT_LT(waited, kLongWait / 2);
}

TYPED_TEST(SubscriptionTest, ClosedLogStillDeliversItsHistory) {
  this->AppendN(2);
  this->log().Close();
  CatchUpSubscription sub(this->log(), 1);
  std::vector<RecordedEvent> batch;
  ASSERT_OK(sub.Next(&batch, milliseconds(0)));
  EXPECT_EQ(batch.size(), 2u);
  Status s = sub.Next(&batch, kLongWait);
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
}

TYPED_TEST(SubscriptionTest, WaitForAppendReturnsTheNewHead) {
  this->AppendN(1);
  EXPECT_EQ(this->log().WaitForAppend(0, kLongWait), 1u);  // already past
  std::thread appender([&] { this->AppendN(2); });
  uint64_t head = this->log().WaitForAppend(1, kLongWait);
  appender.join();
  EXPECT_GE(head, 2u);
  EXPECT_EQ(this->log().WaitForAppend(3, milliseconds(1)), 3u);  // timeout
}

}  // namespace
}  // namespace rotor::testing
