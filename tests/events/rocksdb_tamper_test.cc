// Tamper evidence and bad stored bytes in RocksDbEventLog. Each test builds a
// ten-event log, closes it, edits the stored records directly in RocksDB, and
// reopens it: Verify must name the exact first bad sequence, and reads must
// fail with an error naming the sequence instead of crashing.
#include <memory>
#include <string>
#include <vector>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "events/subscription.h"
#include "events/verify.h"
#include "tests/events/event_log_test_util.h"
#include "tests/events/raw_rocksdb.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {
namespace {

constexpr uint64_t kEvents = 10;

class RocksDbTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = RocksDbEventLog::Open(dir_.path());
    ASSERT_OK(log);
    ASSERT_OK((*log)->Append(Request("a", ExpectedVersion::NoStream(), {"a1", "a2", "a3"})));
    ASSERT_OK((*log)->Append(Request("b", ExpectedVersion::NoStream(), {"b1", "b2"})));
    ASSERT_OK((*log)->Append(Request("a", ExpectedVersion::Exact(3), {"a4", "a5", "a6"})));
    ASSERT_OK((*log)->Append(Request("c", ExpectedVersion::NoStream(), {"c1", "c2"})));
    ASSERT_EQ((*log)->Head(), kEvents);
    auto report = Verify(**log);
    ASSERT_OK(report);
    ASSERT_TRUE(report->ok);
    head_hash_ = report->head_hash;
  }

  std::unique_ptr<RocksDbEventLog> Reopen() {
    auto log = RocksDbEventLog::Open(dir_.path());
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // Reopens the log and verifies it.
  VerifyReport VerifyStored() {
    auto log = Reopen();
    if (log == nullptr) return VerifyReport{};
    auto report = Verify(*log);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  TempDir dir_;
  Sha256Digest head_hash_{};
};

TEST_F(RocksDbTamperTest, FlippedByteIsReportedAtItsSequence) {
  for (uint64_t k : {uint64_t{1}, uint64_t{4}, uint64_t{9}}) {
    size_t size = 0;
    {
      RawRocksDb raw(dir_.path());
      size = raw.GetEvent(k).size();
    }
    // In the hash, the envelope's first tag byte, its middle, and the payload's last byte.
    for (size_t offset : {size_t{0}, kHashSize - 1, kHashSize, size / 2, size - 1}) {
      std::string original;
      {
        RawRocksDb raw(dir_.path());
        original = raw.GetEvent(k);
        std::string flipped = original;
        flipped[offset] = static_cast<char>(flipped[offset] ^ 0x01);
        raw.PutEvent(k, flipped);
      }
      VerifyReport report = VerifyStored();
      EXPECT_FALSE(report.ok) << "sequence " << k << " offset " << offset;
      EXPECT_EQ(report.first_bad_sequence, k) << "offset " << offset << ": " << report.problem;
      EXPECT_EQ(report.events, k - 1);
      EXPECT_EQ(report.problem.rfind("sequence " + std::to_string(k), 0), 0u) << report.problem;
      RawRocksDb raw(dir_.path());
      raw.PutEvent(k, original);
    }
  }
  EXPECT_TRUE(VerifyStored().ok);  // restored
}

TEST_F(RocksDbTamperTest, FlippedPayloadByteIsAHashMismatch) {
  {
    RawRocksDb raw(dir_.path());
    std::string value = raw.GetEvent(5);
    value.back() = static_cast<char>(value.back() ^ 0x20);  // "b2" -> "bR"
    raw.PutEvent(5, value);
  }
  VerifyReport report = VerifyStored();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_sequence, 5u);
  EXPECT_EQ(report.problem, "sequence 5: hash does not match the record's bytes");
}

TEST_F(RocksDbTamperTest, DeletedRecordIsReportedAtItsSequence) {
  for (uint64_t k : {uint64_t{1}, uint64_t{6}, uint64_t{9}}) {
    std::string original;
    {
      RawRocksDb raw(dir_.path());
      original = raw.GetEvent(k);
      raw.DeleteEvent(k);
    }
    VerifyReport report = VerifyStored();
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_sequence, k);
    EXPECT_EQ(report.problem, "sequence " + std::to_string(k) + " is missing (next stored is " +
                                  std::to_string(k + 1) + ")");
    RawRocksDb raw(dir_.path());
    raw.PutEvent(k, original);
  }
}

TEST_F(RocksDbTamperTest, SwappedRecordsAreReportedAtTheFirst) {
  for (auto [i, j] : std::vector<std::pair<uint64_t, uint64_t>>{{1, 2}, {3, 7}, {8, 9}}) {
    std::string vi, vj;
    {
      RawRocksDb raw(dir_.path());
      vi = raw.GetEvent(i);
      vj = raw.GetEvent(j);
      raw.PutEvent(i, vj);
      raw.PutEvent(j, vi);
    }
    VerifyReport report = VerifyStored();
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_sequence, i);
    EXPECT_EQ(report.problem,
              "sequence " + std::to_string(i) + ": record holds sequence " + std::to_string(j));
    RawRocksDb raw(dir_.path());
    raw.PutEvent(i, vi);
    raw.PutEvent(j, vj);
  }
}

TEST_F(RocksDbTamperTest, ResealedRecordBreaksTheChainAtTheNextSequence) {
  // An editor who recomputes the hash of the record they changed still breaks
  // the link from the next record.
  {
    RawRocksDb raw(dir_.path());
    RecordedEvent e;
    ASSERT_OK(DecodeStoredRecord(4, raw.GetEvent(4), &e, HashCheck::kVerify));
    e.payload = "b1-edited";
    raw.PutEvent(4, SealRecord(e));
  }
  VerifyReport report = VerifyStored();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_sequence, 5u);
  EXPECT_EQ(report.problem, "sequence 5: prev_hash does not match the hash of the previous record");
}

TEST_F(RocksDbTamperTest, TamperedLastRecordRefusesToOpen) {
  {
    RawRocksDb raw(dir_.path());
    std::string value = raw.GetEvent(kEvents);
    value.back() = static_cast<char>(value.back() ^ 0x01);
    raw.PutEvent(kEvents, value);
  }
  auto log = RocksDbEventLog::Open(dir_.path());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(log.status().message(), "sequence 10: hash does not match the record's bytes");
}

TEST_F(RocksDbTamperTest, DeletedTailIsOnlyVisibleAgainstAnAnchoredHeadHash) {
  {
    RawRocksDb raw(dir_.path());
    raw.DeleteEvent(kEvents);
  }
  VerifyReport report = VerifyStored();
  EXPECT_TRUE(report.ok);  // the chain that remains is intact...
  EXPECT_EQ(report.events, kEvents - 1);
  EXPECT_NE(report.head_hash, head_hash_);  // ...but it no longer ends at the anchor
}

TEST_F(RocksDbTamperTest, TruncatedValueIsAnErrorNamingTheSequence) {
  {
    RawRocksDb raw(dir_.path());
    raw.PutEvent(6, raw.GetEvent(6).substr(0, 20));
  }
  auto log = Reopen();
  ASSERT_NE(log, nullptr);
  RecordedEvent e;
  Status one = log->ReadOne(6, &e);
  EXPECT_EQ(one.code(), StatusCode::kCorruption);
  EXPECT_EQ(one.message(), "sequence 6: truncated record (20 bytes)");
  std::vector<RecordedEvent> out;
  Status read = log->Read(1, Direction::kForward, 100, &out);
  EXPECT_EQ(read.code(), StatusCode::kCorruption);
  EXPECT_EQ(read.message(), "sequence 6: truncated record (20 bytes)");
  EXPECT_EQ(SequencesOf(out), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  std::vector<RecordedEvent> stream;
  Status by_stream = log->ReadStream("a", 1, 100, &stream);
  EXPECT_EQ(by_stream.code(), StatusCode::kCorruption);
  EXPECT_EQ(by_stream.message(), "stream 'a': sequence 6: truncated record (20 bytes)");
  auto report = Verify(*log);
  ASSERT_OK(report);
  EXPECT_EQ(report->first_bad_sequence, 6u);
}

TEST_F(RocksDbTamperTest, GarbageValueIsAnErrorNamingTheSequence) {
  {
    RawRocksDb raw(dir_.path());
    raw.PutEvent(3, std::string(kHashSize, 'h') + std::string(8, '\xff'));
  }
  auto log = Reopen();
  ASSERT_NE(log, nullptr);
  RecordedEvent e;
  Status s = log->ReadOne(3, &e);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "sequence 3: record bytes do not parse as EventEnvelope");
  std::vector<uint64_t> seen;
  Status each = log->ForEach(1, [&](const RecordedEvent& r) {
    seen.push_back(r.sequence);
    return true;
  });
  EXPECT_EQ(each.message(), "sequence 3: record bytes do not parse as EventEnvelope");
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2}));
}

TEST_F(RocksDbTamperTest, UnknownEventTypeFromANewerWriterIsAnErrorNamingTheSequence) {
  {
    // A well-formed, correctly chained record whose type this build does not know.
    RawRocksDb raw(dir_.path());
    RecordedEvent last;
    ASSERT_OK(DecodeStoredRecord(kEvents, raw.GetEvent(kEvents), &last));
    RecordedEvent next;
    next.sequence = kEvents + 1;
    next.stream_id = "future";
    next.stream_version = 1;
    next.event_type = "rotor.v2.SomethingNew";
    next.payload = "\x0a\x03new";
    next.prev_hash = last.hash;
    raw.PutEvent(kEvents + 1, SealRecord(next));
  }
  auto log = Reopen();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->Head(), kEvents + 1);
  auto report = Verify(*log);
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  std::vector<RecordedEvent> out;
  ASSERT_OK(log->Read(kEvents + 1, Direction::kForward, 1, &out));
  ASSERT_EQ(out.size(), 1u);
  auto decoded = DecodeEvent(out[0]);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(), "sequence 11: unknown event type 'rotor.v2.SomethingNew'");
}

TEST_F(RocksDbTamperTest, MalformedEventsKeyRefusesToOpen) {
  {
    RawRocksDb raw(dir_.path());
    raw.Put(raw.events(), "abc", "x");
  }
  auto log = RocksDbEventLog::Open(dir_.path());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(log.status().message(), "events key of 3 bytes");
}

}  // namespace
TEST_F(RocksDbTamperTest, ASubscriptionStopsAtADamagedRecordAndKeepsItsPosition) {
  {
    RawRocksDb raw(dir_.path());
    std::string value = raw.GetEvent(3);
    raw.PutEvent(3, value.substr(0, value.size() - 2));  // truncated
  }
  auto log = Reopen();
  ASSERT_NE(log, nullptr);
  CatchUpSubscription sub(*log, 1);
  std::vector<RecordedEvent> batch;
  for (int attempt = 0; attempt < 2; ++attempt) {  // the same answer again
    Status s = sub.Next(&batch, std::chrono::milliseconds(0));
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_EQ(s.message().rfind("sequence 3", 0), 0u) << s.message();
    EXPECT_TRUE(batch.empty());
    EXPECT_EQ(sub.position(), 1u);
  }
  // Passing the stored bytes on, the records before the damaged one go out.
  std::vector<uint64_t> passed;
  size_t count = 0;
  Status s = sub.NextStored(
      std::chrono::milliseconds(0),
      [&](uint64_t sequence, std::string_view stored) {
        PublishableRecord record;
        Status prepared = PrepareEnvelope(sequence, stored, &record);
        if (prepared.ok()) passed.push_back(sequence);
        return prepared;
      },
      &count);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_EQ(passed, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(sub.position(), 3u);
}

}  // namespace rotor::testing
