// The EventLog conformance suite, part 1: appends, expected versions,
// idempotency keys and invalid requests. Every test runs against
// MemoryEventLog and RocksDbEventLog.
#include <string>
#include <vector>

#include "events/verify.h"
#include "tests/events/event_log_test_util.h"

namespace rotor::testing {
namespace {

template <typename Log>
using EventLogConformanceTest = EventLogTest<Log>;
TYPED_TEST_SUITE(EventLogConformanceTest, EventLogImplementations, EventLogName);

TYPED_TEST(EventLogConformanceTest, EmptyLogHasHeadZeroAndNoEvents) {
  EXPECT_EQ(this->log().Head(), 0u);
  EXPECT_TRUE(ReadAll(this->log()).empty());
  auto version = this->log().StreamVersion("rollout-1");
  ASSERT_OK(version);
  EXPECT_EQ(*version, 0u);
}

TYPED_TEST(EventLogConformanceTest, FirstAppendGetsSequenceOneAndVersionOne) {
  auto r = this->log().Append(Request("rollout-1", ExpectedVersion::NoStream(), {"a"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->first_sequence, 1u);
  EXPECT_EQ(r->last_sequence, 1u);
  EXPECT_EQ(r->stream_version, 1u);
  EXPECT_FALSE(r->duplicate);
  EXPECT_EQ(this->log().Head(), 1u);
}

TYPED_TEST(EventLogConformanceTest, BatchGetsContiguousSequencesAndVersions) {
  ASSERT_OK(this->log().Append(Request("other", ExpectedVersion::Any(), {"x", "y"})));
  auto r = this->log().Append(Request("rollout-1", ExpectedVersion::NoStream(), {"a", "b", "c"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->first_sequence, 3u);
  EXPECT_EQ(r->last_sequence, 5u);
  EXPECT_EQ(r->stream_version, 3u);
  std::vector<RecordedEvent> stream;
  ASSERT_OK(this->log().ReadStream("rollout-1", 1, 100, &stream));
  ASSERT_EQ(stream.size(), 3u);
  for (size_t i = 0; i < stream.size(); ++i) {
    EXPECT_EQ(stream[i].sequence, 3 + i);
    EXPECT_EQ(stream[i].stream_version, 1 + i);
    EXPECT_EQ(stream[i].stream_id, "rollout-1");
  }
  EXPECT_EQ(PayloadsOf(stream), (std::vector<std::string>{"a", "b", "c"}));
}

TYPED_TEST(EventLogConformanceTest, ExpectedAnyAppendsWhateverTheVersion) {
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::Any(), {"a"})));
  auto r = this->log().Append(Request("s", ExpectedVersion::Any(), {"b", "c"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->stream_version, 3u);
  EXPECT_EQ(*this->log().StreamVersion("s"), 3u);
}

TYPED_TEST(EventLogConformanceTest, NoStreamConflictsOnceTheStreamExistsAndWritesNothing) {
  ASSERT_OK(this->log().Append(Request("rollout-1", ExpectedVersion::NoStream(), {"a"})));
  auto r = this->log().Append(Request("rollout-1", ExpectedVersion::NoStream(), {"b", "c"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(r.status().message(), "stream 'rollout-1': expected version 0 (no stream), actual 1");
  EXPECT_EQ(this->log().Head(), 1u);
  EXPECT_EQ(*this->log().StreamVersion("rollout-1"), 1u);
  EXPECT_EQ(PayloadsOf(ReadAll(this->log())), (std::vector<std::string>{"a"}));
}

TYPED_TEST(EventLogConformanceTest, ExactVersionAppendsWhenItMatches) {
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::Exact(0), {"a", "b"})));
  auto r = this->log().Append(Request("s", ExpectedVersion::Exact(2), {"c"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->first_sequence, 3u);
  EXPECT_EQ(r->stream_version, 3u);
}

TYPED_TEST(EventLogConformanceTest, ExactVersionMismatchIsAConflictAndWritesNothing) {
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::NoStream(), {"a", "b"})));
  for (uint64_t wrong : {uint64_t{0}, uint64_t{1}, uint64_t{3}, uint64_t{1000}}) {
    auto r = this->log().Append(Request("s", ExpectedVersion::Exact(wrong), {"z"}));
    ASSERT_FALSE(r.ok()) << "expected " << wrong;
    EXPECT_EQ(r.status().code(), StatusCode::kConflict);
    EXPECT_NE(r.status().message().find("actual 2"), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(this->log().Head(), 2u);
  EXPECT_EQ(*this->log().StreamVersion("s"), 2u);
  EXPECT_EQ(PayloadsOf(ReadAll(this->log())), (std::vector<std::string>{"a", "b"}));
}

TYPED_TEST(EventLogConformanceTest, ExactVersionOnAMissingStreamConflicts) {
  auto r = this->log().Append(Request("s", ExpectedVersion::Exact(1), {"a"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(this->log().Head(), 0u);
  EXPECT_EQ(*this->log().StreamVersion("s"), 0u);
}

TYPED_TEST(EventLogConformanceTest, StreamsHaveIndependentVersions) {
  ASSERT_OK(this->log().Append(Request("a", ExpectedVersion::NoStream(), {"a1"})));
  ASSERT_OK(this->log().Append(Request("b", ExpectedVersion::NoStream(), {"b1", "b2"})));
  auto r = this->log().Append(Request("a", ExpectedVersion::Exact(1), {"a2"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->first_sequence, 4u);
  EXPECT_EQ(r->stream_version, 2u);
  EXPECT_EQ(*this->log().StreamVersion("a"), 2u);
  EXPECT_EQ(*this->log().StreamVersion("b"), 2u);
}

TYPED_TEST(EventLogConformanceTest, RepeatedIdempotencyKeyReturnsTheOriginalAndWritesNothing) {
  ASSERT_OK(this->log().Append(Request("other", ExpectedVersion::Any(), {"o"})));
  auto first = this->log().Append(Request("s", ExpectedVersion::NoStream(), {"a", "b"}, "key-1"));
  ASSERT_OK(first);
  EXPECT_FALSE(first->duplicate);
  // The retry carries the same (now stale) expectation: it is a duplicate, not a conflict.
  auto again = this->log().Append(Request("s", ExpectedVersion::NoStream(), {"a", "b"}, "key-1"));
  ASSERT_OK(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->first_sequence, 2u);
  EXPECT_EQ(again->last_sequence, 3u);
  EXPECT_EQ(again->stream_version, 2u);
  EXPECT_EQ(this->log().Head(), 3u);
  EXPECT_EQ(*this->log().StreamVersion("s"), 2u);
}

TYPED_TEST(EventLogConformanceTest, IdempotencyKeyIsGlobalAcrossStreams) {
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::Any(), {"a"}, "key-1")));
  auto r = this->log().Append(Request("t", ExpectedVersion::Any(), {"b"}, "key-1"));
  ASSERT_OK(r);
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(r->first_sequence, 1u);
  EXPECT_EQ(this->log().Head(), 1u);
  EXPECT_EQ(*this->log().StreamVersion("t"), 0u);
}

TYPED_TEST(EventLogConformanceTest, IdempotencyKeyIsRecordedOnEveryEventOfTheAppend) {
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::Any(), {"a", "b"}, "key-1")));
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::Any(), {"c"})));
  std::vector<RecordedEvent> all = ReadAll(this->log());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].idempotency_key, "key-1");
  EXPECT_EQ(all[1].idempotency_key, "key-1");
  EXPECT_EQ(all[2].idempotency_key, "");
}

TYPED_TEST(EventLogConformanceTest, AConflictDoesNotConsumeTheIdempotencyKey) {
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::Any(), {"a"})));
  auto conflict = this->log().Append(Request("s", ExpectedVersion::NoStream(), {"b"}, "key-1"));
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kConflict);
  auto r = this->log().Append(Request("s", ExpectedVersion::Exact(1), {"b"}, "key-1"));
  ASSERT_OK(r);
  EXPECT_FALSE(r->duplicate);
  EXPECT_EQ(r->first_sequence, 2u);
}

TYPED_TEST(EventLogConformanceTest, InvalidRequestsAreRejectedAndWriteNothing) {
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::Any(), {"a"})));
  struct Case {
    const char* name;
    AppendRequest request;
    const char* message_part;
  };
  AppendRequest no_type = Request("s", ExpectedVersion::Any(), {"x", "y"});
  no_type.events[1].event_type.clear();
  std::vector<Case> cases;
  cases.push_back(
      {"empty stream id", Request("", ExpectedVersion::Any(), {"x"}), "stream id is empty"});
  cases.push_back(
      {"NUL in stream id", Request(std::string("a\0b", 3), ExpectedVersion::Any(), {"x"}), "NUL"});
  cases.push_back({"stream id too long",
                   Request(std::string(kMaxStreamIdLength + 1, 'x'), ExpectedVersion::Any(), {"x"}),
                   "longer than 512"});
  cases.push_back({"empty batch", Request("s", ExpectedVersion::Any(), {}), "has no events"});
  cases.push_back({"missing event type", no_type, "event 1 has no event type"});
  for (Case& c : cases) {
    auto r = this->log().Append(std::move(c.request));
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
        << c.name << ": " << r.status().message();
  }
  EXPECT_EQ(this->log().Head(), 1u);
  EXPECT_EQ(*this->log().StreamVersion("s"), 1u);
  EXPECT_EQ(ReadAll(this->log()).size(), 1u);
}

TYPED_TEST(EventLogConformanceTest, StreamIdOfMaximumLengthIsAccepted) {
  std::string id(kMaxStreamIdLength, 'x');
  auto r = this->log().Append(Request(id, ExpectedVersion::NoStream(), {"a"}));
  ASSERT_OK(r);
  EXPECT_EQ(*this->log().StreamVersion(id), 1u);
}

TYPED_TEST(EventLogConformanceTest, AppendAfterCloseIsCancelled) {
  ASSERT_OK(this->log().Append(Request("s", ExpectedVersion::Any(), {"a"})));
  this->log().Close();
  EXPECT_TRUE(this->log().closed());
  auto r = this->log().Append(Request("s", ExpectedVersion::Any(), {"b"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(this->log().Head(), 1u);
  EXPECT_EQ(ReadAll(this->log()).size(), 1u);  // reads still work
}

TYPED_TEST(EventLogConformanceTest, AppendEachAppendsEveryRequestOnItsOwnTerms) {
  std::vector<AppendRequest> requests;
  requests.push_back(Request("a", ExpectedVersion::NoStream(), {"a1"}));
  requests.push_back(Request("b", ExpectedVersion::NoStream(), {"b1", "b2"}));
  requests.push_back(Request("a", ExpectedVersion::NoStream(), {"x"}));  // a is at 1 now
  requests.push_back(Request("a", ExpectedVersion::Exact(1), {"a2"}));
  requests.push_back(Request("c", ExpectedVersion::Any(), {}));  // no events: refused
  requests.push_back(Request("c", ExpectedVersion::Any(), {"c1"}, "key-1"));
  requests.push_back(Request("d", ExpectedVersion::Any(), {"d1"}, "key-1"));  // repeats key-1
  requests.push_back(Request("b", ExpectedVersion::Any(), {"b3"}));
  std::vector<Result<AppendResult>> results = this->log().AppendEach(std::move(requests));
  ASSERT_EQ(results.size(), 8u);
  ASSERT_OK(results[0]);
  EXPECT_EQ(results[0]->first_sequence, 1u);
  ASSERT_OK(results[1]);
  EXPECT_EQ(results[1]->first_sequence, 2u);
  EXPECT_EQ(results[1]->last_sequence, 3u);
  EXPECT_EQ(results[2].status().code(), StatusCode::kConflict) << results[2].status().ToString();
  ASSERT_OK(results[3]);
  EXPECT_EQ(results[3]->first_sequence, 4u);
  EXPECT_EQ(results[3]->stream_version, 2u);
  EXPECT_EQ(results[4].status().code(), StatusCode::kInvalidArgument);
  ASSERT_OK(results[5]);
  EXPECT_FALSE(results[5]->duplicate);
  ASSERT_OK(results[6]);
  EXPECT_TRUE(results[6]->duplicate);
  EXPECT_EQ(results[6]->first_sequence, results[5]->first_sequence);
  ASSERT_OK(results[7]);
  EXPECT_EQ(results[7]->stream_version, 3u);
  std::vector<RecordedEvent> all = ReadAll(this->log());
  EXPECT_EQ(PayloadsOf(all), (std::vector<std::string>{"a1", "b1", "b2", "a2", "c1", "b3"}));
  EXPECT_EQ(this->log().Head(), 6u);
  ASSERT_OK(Verify(this->log()));
  std::vector<RecordedEvent> b;
  ASSERT_OK(this->log().ReadStream("b", 1, 10, &b));
  EXPECT_EQ(PayloadsOf(b), (std::vector<std::string>{"b1", "b2", "b3"}));
  // Each stream's head is its last append's, though "a" and "b" were each
  // appended twice in the one write.
  for (const auto& [stream, version] :
       std::vector<std::pair<std::string, uint64_t>>{{"a", 2}, {"b", 3}, {"c", 1}, {"d", 0}}) {
    Result<uint64_t> head = this->log().StreamVersion(stream);
    ASSERT_OK(head);
    EXPECT_EQ(*head, version) << stream;
  }
}

TYPED_TEST(EventLogConformanceTest, AppendEachOnAClosedLogIsCancelledForEveryRequest) {
  this->log().Close();
  std::vector<AppendRequest> requests;
  requests.push_back(Request("a", ExpectedVersion::Any(), {"a1"}));
  requests.push_back(Request("b", ExpectedVersion::Any(), {"b1"}));
  std::vector<Result<AppendResult>> results = this->log().AppendEach(std::move(requests));
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(this->log().Head(), 0u);
}

}  // namespace
}  // namespace rotor::testing
