// The EventLog conformance suite, part 2: reading forward, backward, one
// stream and one record; the recorded fields and the hash chain; Verify on a
// healthy log. Every test runs against MemoryEventLog and RocksDbEventLog.
#include <string>
#include <vector>

#include "base/hash.h"
#include "events/codec.h"
#include "events/verify.h"
#include "tests/events/event_log_test_util.h"

namespace rotor::testing {
namespace {

template <typename Log>
class EventLogReadTest : public EventLogTest<Log> {
 protected:
  // Six events: a1 b1 a2 a3 b2 c1 (stream letter, stream version).
  void AppendSix() {
    ASSERT_OK(this->log().Append(Request("a", ExpectedVersion::NoStream(), {"a1"})));
    ASSERT_OK(this->log().Append(Request("b", ExpectedVersion::NoStream(), {"b1"})));
    ASSERT_OK(this->log().Append(Request("a", ExpectedVersion::Exact(1), {"a2", "a3"})));
    ASSERT_OK(this->log().Append(Request("b", ExpectedVersion::Exact(1), {"b2"})));
    ASSERT_OK(this->log().Append(Request("c", ExpectedVersion::NoStream(), {"c1"})));
  }
};
TYPED_TEST_SUITE(EventLogReadTest, EventLogImplementations, EventLogName);

TYPED_TEST(EventLogReadTest, ReadForwardFromAPositionWithALimit) {
  this->AppendSix();
  std::vector<RecordedEvent> out;
  ASSERT_OK(this->log().Read(1, Direction::kForward, 100, &out));
  EXPECT_EQ(PayloadsOf(out), (std::vector<std::string>{"a1", "b1", "a2", "a3", "b2", "c1"}));
  EXPECT_EQ(SequencesOf(out), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  ASSERT_OK(this->log().Read(3, Direction::kForward, 2, &out));
  EXPECT_EQ(SequencesOf(out), (std::vector<uint64_t>{3, 4}));
  ASSERT_OK(this->log().Read(0, Direction::kForward, 1, &out));
  EXPECT_EQ(SequencesOf(out), (std::vector<uint64_t>{1}));
  ASSERT_OK(this->log().Read(7, Direction::kForward, 10, &out));
  EXPECT_TRUE(out.empty());
  ASSERT_OK(this->log().Read(1, Direction::kForward, 0, &out));
  EXPECT_TRUE(out.empty());
}

TYPED_TEST(EventLogReadTest, ReadBackwardFromTheHeadOrAPosition) {
  this->AppendSix();
  std::vector<RecordedEvent> out;
  ASSERT_OK(this->log().Read(kHeadSequence, Direction::kBackward, 100, &out));
  EXPECT_EQ(SequencesOf(out), (std::vector<uint64_t>{6, 5, 4, 3, 2, 1}));
  ASSERT_OK(this->log().Read(kHeadSequence, Direction::kBackward, 2, &out));
  EXPECT_EQ(PayloadsOf(out), (std::vector<std::string>{"c1", "b2"}));
  ASSERT_OK(this->log().Read(4, Direction::kBackward, 3, &out));
  EXPECT_EQ(SequencesOf(out), (std::vector<uint64_t>{4, 3, 2}));
  ASSERT_OK(this->log().Read(0, Direction::kBackward, 3, &out));
  EXPECT_TRUE(out.empty());
}

TYPED_TEST(EventLogReadTest, ReadIntoANonEmptyVectorClearsItFirst) {
  this->AppendSix();
  std::vector<RecordedEvent> out(3);
  ASSERT_OK(this->log().Read(6, Direction::kForward, 10, &out));
  EXPECT_EQ(SequencesOf(out), (std::vector<uint64_t>{6}));
}

TYPED_TEST(EventLogReadTest, ReadStreamFromAVersionWithALimit) {
  this->AppendSix();
  std::vector<RecordedEvent> out;
  ASSERT_OK(this->log().ReadStream("a", 1, 100, &out));
  EXPECT_EQ(SequencesOf(out), (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(PayloadsOf(out), (std::vector<std::string>{"a1", "a2", "a3"}));
  ASSERT_OK(this->log().ReadStream("a", 2, 1, &out));
  EXPECT_EQ(PayloadsOf(out), (std::vector<std::string>{"a2"}));
  EXPECT_EQ(out[0].stream_version, 2u);
  ASSERT_OK(this->log().ReadStream("a", 4, 10, &out));
  EXPECT_TRUE(out.empty());
  ASSERT_OK(this->log().ReadStream("missing", 1, 10, &out));
  EXPECT_TRUE(out.empty());
  // A stream whose id is a prefix of another's sees only its own events.
  ASSERT_OK(this->log().Append(Request("ab", ExpectedVersion::NoStream(), {"ab1"})));
  ASSERT_OK(this->log().ReadStream("a", 1, 100, &out));
  EXPECT_EQ(PayloadsOf(out), (std::vector<std::string>{"a1", "a2", "a3"}));
}

TYPED_TEST(EventLogReadTest, StreamSequencesFromEveryVersionAcrossAppendsOfManySizes) {
  // Stream "s" gets appends of 3, 1, 4 and 2 events; "t" and "s2" interleave.
  std::vector<uint64_t> expected;  // expected[v - 1]: the sequence of s's version v
  uint64_t s_version = 0;
  for (size_t n : {3, 1, 4, 2}) {
    ASSERT_OK(this->log().Append(Request("t", ExpectedVersion::Any(), {"t"})));
    std::vector<std::string> payloads(n, "s");
    auto r = this->log().Append(Request("s", ExpectedVersion::Exact(s_version), payloads));
    ASSERT_OK(r);
    for (uint64_t q = r->first_sequence; q <= r->last_sequence; ++q) expected.push_back(q);
    s_version += n;
    ASSERT_OK(this->log().Append(Request("s2", ExpectedVersion::Any(), {"s2"})));
  }
  std::vector<uint64_t> seqs;
  for (uint64_t from = 0; from <= s_version + 1; ++from) {
    for (size_t max : {size_t{1}, size_t{2}, size_t{5}, size_t{100}}) {
      ASSERT_OK(this->log().StreamSequences("s", from, max, &seqs));
      size_t first = from == 0 ? 0 : from - 1;
      std::vector<uint64_t> want;
      for (size_t i = first; i < expected.size() && want.size() < max; ++i) {
        want.push_back(expected[i]);
      }
      EXPECT_EQ(seqs, want) << "from version " << from << ", max " << max;
    }
  }
  ASSERT_OK(this->log().StreamSequences("s", 1, 0, &seqs));
  EXPECT_TRUE(seqs.empty());
}

TYPED_TEST(EventLogReadTest, StreamSequencesRejectsANulInTheStreamId) {
  this->AppendSix();
  std::vector<uint64_t> seqs{99};
  Status s = this->log().StreamSequences(std::string("a\0b", 3), 1, 10, &seqs);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(seqs.empty());
  ASSERT_OK(this->log().StreamSequences("b", 0, 10, &seqs));
  EXPECT_EQ(seqs, (std::vector<uint64_t>{2, 5}));
}

TYPED_TEST(EventLogReadTest, ReadOneReturnsEveryRecordedField) {
  AppendRequest r = Request("rollout-7", ExpectedVersion::NoStream(), {}, "idem-7");
  r.events.push_back(NewEvent{"rotor.v1.ReplacementCancelled", std::string("pay\0load", 8),
                              TestTime(123456), "alice", "corr-7", "cause-7"});
  ASSERT_OK(this->log().Append(Request("other", ExpectedVersion::Any(), {"x"})));
  ASSERT_OK(this->log().Append(std::move(r)));
  RecordedEvent e;
  ASSERT_OK(this->log().ReadOne(2, &e));
  EXPECT_EQ(e.sequence, 2u);
  EXPECT_EQ(e.stream_id, "rollout-7");
  EXPECT_EQ(e.stream_version, 1u);
  EXPECT_EQ(e.event_type, "rotor.v1.ReplacementCancelled");
  EXPECT_EQ(e.recorded_at, TestTime(123456));
  EXPECT_EQ(e.actor, "alice");
  EXPECT_EQ(e.correlation_id, "corr-7");
  EXPECT_EQ(e.causation_id, "cause-7");
  EXPECT_EQ(e.idempotency_key, "idem-7");
  EXPECT_EQ(e.payload, std::string("pay\0load", 8));
}

TYPED_TEST(EventLogReadTest, ReadOneOfAMissingSequenceIsNotFound) {
  this->AppendSix();
  RecordedEvent e;
  for (uint64_t seq : {uint64_t{0}, uint64_t{7}, kHeadSequence}) {
    Status s = this->log().ReadOne(seq, &e);
    EXPECT_EQ(s.code(), StatusCode::kNotFound) << seq << ": " << s.ToString();
    EXPECT_NE(s.message().find("sequence " + std::to_string(seq)), std::string::npos);
  }
}

TYPED_TEST(EventLogReadTest, RecordsFormAHashChain) {
  this->AppendSix();
  std::vector<RecordedEvent> all = ReadAll(this->log());
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0].prev_hash, Sha256Digest{});
  for (size_t i = 0; i < all.size(); ++i) {
    std::string_view prev(reinterpret_cast<const char*>(all[i].prev_hash.data()), kHashSize);
    EXPECT_EQ(all[i].hash, Sha256(prev, EncodeCanonical(all[i]))) << "sequence " << i + 1;
    if (i > 0) {
      EXPECT_EQ(all[i].prev_hash, all[i - 1].hash) << "sequence " << i + 1;
    }
  }
}

TYPED_TEST(EventLogReadTest, ForEachVisitsInOrderUntilTheVisitorStops) {
  this->AppendSix();
  std::vector<uint64_t> seen;
  ASSERT_OK(this->log().ForEach(2, [&](const RecordedEvent& e) {
    seen.push_back(e.sequence);
    return e.sequence < 4;
  }));
  EXPECT_EQ(seen, (std::vector<uint64_t>{2, 3, 4}));
}

TYPED_TEST(EventLogReadTest, VerifyAcceptsAHealthyLog) {
  auto empty = Verify(this->log());
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->ok);
  EXPECT_EQ(empty->events, 0u);
  EXPECT_EQ(empty->head_hash, Sha256Digest{});
  this->AppendSix();
  auto report = Verify(this->log());
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->events, 6u);
  EXPECT_EQ(report->first_bad_sequence, 0u);
  RecordedEvent last;
  ASSERT_OK(this->log().ReadOne(6, &last));
  EXPECT_EQ(report->head_hash, last.hash);
}

TYPED_TEST(EventLogReadTest, UnknownEventTypeIsAnErrorNamingTheSequence) {
  this->AppendSix();
  AppendRequest r = Request("d", ExpectedVersion::Any(), {"garbage"});
  r.events[0].event_type = "rotor.v1.NoSuchEvent";
  ASSERT_OK(this->log().Append(std::move(r)));
  RecordedEvent e;
  ASSERT_OK(this->log().ReadOne(7, &e));  // the log stores any type; decoding names it
  auto decoded = DecodeEvent(e);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "sequence 7: unknown event type 'rotor.v1.NoSuchEvent'");
}

TYPED_TEST(EventLogReadTest, UndecodablePayloadIsAnErrorNamingTheSequence) {
  AppendRequest r = Request("d", ExpectedVersion::Any(), {std::string("\xff\xff\xff", 3)});
  r.events[0].event_type = "rotor.v1.ReplacementCancelled";
  ASSERT_OK(this->log().Append(std::move(r)));
  RecordedEvent e;
  ASSERT_OK(this->log().ReadOne(1, &e));
  auto decoded = DecodeEvent(e);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(),
            "sequence 1: payload does not parse as rotor.v1.ReplacementCancelled");
}

TYPED_TEST(EventLogReadTest, TypedEventsRoundTripThroughTheLog) {
  Event event = ReplacementCancelled{"rollout-7", "operator changed their mind"};
  AppendRequest r;
  r.stream_id = "rollout-7";
  r.events.push_back(MakeNewEvent(event, TestTime(), "alice", "corr", "cause"));
  ASSERT_OK(this->log().Append(std::move(r)));
  RecordedEvent e;
  ASSERT_OK(this->log().ReadOne(1, &e));
  EXPECT_EQ(e.event_type, "rotor.v1.ReplacementCancelled");
  auto decoded = DecodeEvent(e);
  ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, event);
}

}  // namespace
}  // namespace rotor::testing
