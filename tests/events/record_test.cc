// Records: the envelope round-trips, the stored value is hash || canonical
// bytes, the hash is SHA-256(prev_hash || canonical bytes), and damaged stored
// values are errors naming the sequence.
#include "events/record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hash.h"
#include "rotor/v1/envelope.pb.h"
#include "tests/events/sample_events.h"

namespace rotor::testing {
namespace {

void ExpectSameRecord(const RecordedEvent& a, const RecordedEvent& b) {
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.stream_id, b.stream_id);
  EXPECT_EQ(a.stream_version, b.stream_version);
  EXPECT_EQ(a.event_type, b.event_type);
  EXPECT_EQ(a.recorded_at, b.recorded_at);
  EXPECT_EQ(a.actor, b.actor);
  EXPECT_EQ(a.correlation_id, b.correlation_id);
  EXPECT_EQ(a.causation_id, b.causation_id);
  EXPECT_EQ(a.idempotency_key, b.idempotency_key);
  EXPECT_EQ(a.prev_hash, b.prev_hash);
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_EQ(a.payload, b.payload);
}

TEST(RecordTest, EnvelopeRoundTrips) {
  RecordedEvent record = SampleRecord();
  RecordedEvent decoded;
  Status s = DecodeEnvelope(EncodeEnvelope(record), &decoded);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSameRecord(decoded, record);
}

TEST(RecordTest, EnvelopeRoundTripsTimesBeforeTheEpoch) {
  RecordedEvent record = SampleRecord();
  record.recorded_at = TimeFromMicros(-1500001);
  SealRecord(record);
  RecordedEvent decoded;
  ASSERT_TRUE(DecodeEnvelope(EncodeEnvelope(record), &decoded).ok());
  EXPECT_EQ(decoded.recorded_at, TimeFromMicros(-1500001));
}

TEST(RecordTest, HashIsSha256OfPrevHashAndCanonicalBytes) {
  RecordedEvent record = SampleRecord();
  std::string canonical = EncodeCanonical(record);
  std::string prev(reinterpret_cast<const char*>(record.prev_hash.data()), kHashSize);
  EXPECT_EQ(record.hash, Sha256(prev + canonical));
  // The canonical bytes are the envelope with `hash` unset.
  v1::EventEnvelope env;
  ASSERT_TRUE(env.ParseFromString(canonical));
  EXPECT_TRUE(env.hash().empty());
  EXPECT_EQ(env.sequence(), 42u);
  EXPECT_EQ(env.prev_hash(), prev);
}

// The canonical bytes must be exactly what the generated protobuf code
// serializes, whatever path EncodeCanonical takes, for every kind of field value.
TEST(RecordTest, CanonicalBytesAreTheGeneratedSerialization) {
  std::vector<RecordedEvent> records;
  records.push_back(SampleRecord());
  records.push_back(RecordedEvent{});  // every field empty or zero
  RecordedEvent unicode = SampleRecord();
  unicode.stream_id = "rollout-\xc3\xa9t\xc3\xa9";  // "rollout-été"
  unicode.actor = "\xe2\x9c\x93 alice";
  records.push_back(unicode);
  RecordedEvent big = SampleRecord();
  big.sequence = ~uint64_t{0};
  big.stream_version = uint64_t{1} << 63;
  big.payload.assign(300000, '\x7f');
  big.recorded_at = TimeFromMicros(-62135596800000000);  // 0001-01-01T00:00:00Z
  records.push_back(big);
  RecordedEvent negative = SampleRecord();
  negative.recorded_at = TimeFromMicros(-1);
  records.push_back(negative);
  for (const RecordedEvent& e : records) {
    v1::EventEnvelope env;
    env.set_sequence(e.sequence);
    env.set_stream_id(e.stream_id);
    env.set_stream_version(e.stream_version);
    env.set_event_type(e.event_type);
    int64_t us = ToMicros(e.recorded_at);
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    env.mutable_recorded_at()->set_seconds(secs);
    env.mutable_recorded_at()->set_nanos(static_cast<int32_t>((us - secs * 1000000) * 1000));
    env.set_actor(e.actor);
    env.set_correlation_id(e.correlation_id);
    env.set_causation_id(e.causation_id);
    env.set_idempotency_key(e.idempotency_key);
    env.set_prev_hash(std::string(reinterpret_cast<const char*>(e.prev_hash.data()), kHashSize));
    env.set_payload(e.payload);
    EXPECT_EQ(ToHex(EncodeCanonical(e)), ToHex(env.SerializeAsString()))
        << "sequence " << e.sequence << " stream " << e.stream_id;
  }
}

TEST(RecordTest, StoredValueIsHashThenCanonicalBytes) {
  RecordedEvent record = SampleRecord();
  std::string value = SealRecord(record);
  ASSERT_EQ(value.size(), kHashSize + EncodeCanonical(record).size());
  EXPECT_EQ(value.substr(0, kHashSize),
            std::string(reinterpret_cast<const char*>(record.hash.data()), kHashSize));
  EXPECT_EQ(value.substr(kHashSize), EncodeCanonical(record));
  RecordedEvent decoded;
  Status s = DecodeStoredRecord(42, value, &decoded, HashCheck::kVerify);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectSameRecord(decoded, record);
}

TEST(RecordTest, AnyChangedFieldChangesTheHash) {
  RecordedEvent base = SampleRecord();
  auto hash_with = [&](auto change) {
    RecordedEvent e = base;
    change(e);
    SealRecord(e);
    return e.hash;
  };
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.sequence = 43; }), base.hash);
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.stream_id = "rollout-2"; }), base.hash);
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.stream_version = 8; }), base.hash);
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.event_type += "X"; }), base.hash);
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.recorded_at += Micros(1); }), base.hash);
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.actor = "mallory"; }), base.hash);
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.idempotency_key.clear(); }), base.hash);
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.prev_hash[31] ^= 1; }), base.hash);
  EXPECT_NE(hash_with([](RecordedEvent& e) { e.payload.push_back('x'); }), base.hash);
  EXPECT_EQ(hash_with([](RecordedEvent&) {}), base.hash);
}

TEST(RecordTest, DamagedStoredValuesAreCorruptionNamingTheSequence) {
  RecordedEvent record = SampleRecord();
  std::string value = SealRecord(record);
  RecordedEvent out;
  struct Case {
    std::string value;
    std::string message;
  };
  std::string flipped = value;
  flipped.back() ^= 1;
  std::string bad_hash = value;
  bad_hash[0] ^= 1;
  RecordedEvent short_prev = record;
  std::string short_prev_value;
  {
    v1::EventEnvelope env;
    env.ParseFromString(EncodeCanonical(record));
    env.set_prev_hash("short");
    short_prev_value = std::string(kHashSize, '\0') + env.SerializeAsString();
  }
  const Case cases[] = {
      {"", "sequence 42: truncated record (0 bytes)"},
      {value.substr(0, 31), "sequence 42: truncated record (31 bytes)"},
      {std::string(kHashSize, 'x') + "\xff",
       "sequence 42: record bytes do not parse as EventEnvelope"},
      {value.substr(0, kHashSize), "sequence 42: record holds sequence 0"},
      {flipped, "sequence 42: hash does not match the record's bytes"},
      {bad_hash, "sequence 42: hash does not match the record's bytes"},
      {short_prev_value, "sequence 42: prev_hash is not 32 bytes"},
  };
  for (const Case& c : cases) {
    Status s = DecodeStoredRecord(42, c.value, &out, HashCheck::kVerify);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << c.message;
    EXPECT_EQ(s.message(), c.message);
  }
  Status wrong = DecodeStoredRecord(41, value, &out, HashCheck::kSkip);
  EXPECT_EQ(wrong.message(), "sequence 41: record holds sequence 42");
  // Reads skip the hash check; Verify does it.
  EXPECT_TRUE(DecodeStoredRecord(42, flipped, &out, HashCheck::kSkip).ok());
}

// Records that take each path of the hand-written encoders and decoders.
std::vector<RecordedEvent> VariedRecords() {
  std::vector<RecordedEvent> records;
  records.push_back(SampleRecord());
  RecordedEvent empty_payload = SampleRecord();
  empty_payload.payload.clear();
  empty_payload.correlation_id.clear();
  records.push_back(empty_payload);
  RecordedEvent unicode = SampleRecord();
  unicode.actor = "j\xc3\xb6rg";  // not ASCII: the generated code's path
  records.push_back(unicode);
  RecordedEvent epoch = SampleRecord();
  epoch.recorded_at = TimeFromMicros(0);
  records.push_back(epoch);
  RecordedEvent before_epoch = SampleRecord();
  before_epoch.recorded_at = TimeFromMicros(-1500001);
  records.push_back(before_epoch);
  return records;
}

TEST(RecordTest, EncodeEnvelopeWritesWhatTheGeneratedCodeWrites) {
  // The hand-written path (ASCII strings) and the generated one (anything
  // else) must agree byte for byte with protobuf's own serialization.
  for (const RecordedEvent& record : VariedRecords()) {
    std::string bytes = EncodeEnvelope(record);
    v1::EventEnvelope env;
    ASSERT_TRUE(env.ParseFromString(bytes));
    EXPECT_EQ(env.SerializeAsString(), bytes) << record.actor;
    EXPECT_EQ(env.hash(),
              std::string(reinterpret_cast<const char*>(record.hash.data()), record.hash.size()));
    RecordedEvent decoded;
    ASSERT_TRUE(DecodeEnvelope(bytes, &decoded).ok());
    ExpectSameRecord(decoded, record);
  }
}

TEST(RecordTest, PrepareEnvelopeFromStoredBytesIsEncodeEnvelope) {
  PublishableRecord out;  // reused, as the relay does
  for (RecordedEvent record : VariedRecords()) {
    std::string stored = SealRecord(record);
    ASSERT_TRUE(PrepareEnvelope(record.sequence, stored, &out).ok()) << record.actor;
    EXPECT_EQ(out.envelope, EncodeEnvelope(record)) << record.actor;
    EXPECT_EQ(out.sequence, record.sequence);
    EXPECT_EQ(out.stream_id, record.stream_id);
    EXPECT_EQ(out.event_type, record.event_type);
    EXPECT_EQ(out.recorded_at, record.recorded_at);
    EXPECT_EQ(out.hash, record.hash);
  }
}

TEST(RecordTest, PrepareEnvelopeOfAnUnusualLayoutStillWritesTheGeneratedBytes) {
  RecordedEvent record = SampleRecord();
  std::string stored = SealRecord(record);
  std::string canonical = stored.substr(kHashSize);
  v1::EventEnvelope env;
  ASSERT_TRUE(env.ParseFromString(canonical));
  // The payload first, then the rest: the same message in another order.
  v1::EventEnvelope payload_only;
  payload_only.set_payload(env.payload());
  v1::EventEnvelope rest = env;
  rest.clear_payload();
  std::string reordered =
      stored.substr(0, kHashSize) + payload_only.SerializeAsString() + rest.SerializeAsString();
  PublishableRecord out;
  ASSERT_TRUE(PrepareEnvelope(record.sequence, reordered, &out).ok());
  EXPECT_EQ(out.envelope, EncodeEnvelope(record));

  // The stream id before the sequence (fields 2, 1, 3, ...), the payload last.
  v1::EventEnvelope stream_only;
  stream_only.set_stream_id(env.stream_id());
  v1::EventEnvelope without_stream = env;
  without_stream.clear_stream_id();
  std::string swapped = stored.substr(0, kHashSize) + stream_only.SerializeAsString() +
                        without_stream.SerializeAsString();
  ASSERT_TRUE(PrepareEnvelope(record.sequence, swapped, &out).ok());
  EXPECT_EQ(out.envelope, EncodeEnvelope(record));

  // The payload's length as an overlong varint: the hash still goes in at
  // the payload's tag, and the envelope is the same message.
  ASSERT_LT(record.payload.size(), 128u);
  size_t tag = canonical.size() - record.payload.size() - 2;
  ASSERT_EQ(canonical[tag], '\x62');
  std::string overlong = stored.substr(0, kHashSize + tag) + "\x62" +
                         static_cast<char>(0x80 | record.payload.size()) + std::string(1, '\0') +
                         record.payload;
  ASSERT_TRUE(PrepareEnvelope(record.sequence, overlong, &out).ok());
  v1::EventEnvelope published;
  ASSERT_TRUE(published.ParseFromString(out.envelope));
  EXPECT_EQ(published.SerializeAsString(), EncodeEnvelope(record));

  // An explicitly empty payload field after the others.
  RecordedEvent empty = SampleRecord();
  empty.payload.clear();
  std::string empty_stored = SealRecord(empty) + std::string("\x62\x00", 2);
  ASSERT_TRUE(PrepareEnvelope(empty.sequence, empty_stored, &out).ok());
  EXPECT_EQ(out.envelope, EncodeEnvelope(empty));
}

// Found by tests/fuzz/envelope_fuzz.cc: a stored record holding a field this
// build does not know (here field 6 with the wrong wire type, as a newer
// writer might store a new field) lost it in the published envelope, so a
// consumer could no longer check the hash chain over it.
TEST(RecordTest, PrepareEnvelopeKeepsFieldsThisBuildDoesNotKnow) {
  const std::string fuzzed(
      "\x41\x5e\xe3\x9b\x5e\x28\x1f\x5f\x25\x65\x6d\x65\x6e\x74\x5a\x08"
      "\xe8\xbb\xd2\x4d\x0a\xfe\x6c\x03\xeb\xf9\x24\xbb\x73\xdc\x82\x41"
      "\x35\x44\x64\x1c\x8a\x08\x26\x12\x06\x74\x65\x73\x74\x2d\x30\x18"
      "\x26\x22\x1d\x72\x6f\x74\x6f\x72\x2e\x76\x31\x2e\x52\x65\x70\x6c"
      "\x61\x63\x65\x6d\x65\x6e\x74\x43\x61\x6e\x63\x65\x6c\x6c\x65\x64"
      "\x2a\x06\x08\xd6\x95\x9b\xd7\x06\x32\x05\x61\x6c\x69\x63\x65\x52"
      "\x20\xb7\xff\x07\x96\x14\xa3\x10\x5e\xe9\x6c\x8a\xe5\x40\xbf\xd0"
      "\x1b\xf1\x63\x21\x8c\xdc\xa6\x44\xf3\x08\xb3\x29\x3a\x75\x3d\xc6"
      "\x9a\x62\x15\x0a\x02\x72\x31\x12\x0f\x63\x68\x61\x6e\x67\x65\x64"
      "\x20\x6d\x79\x20\x6d\x69\x6e\x64",
      152);
  v1::EventEnvelope stored_env;
  ASSERT_TRUE(stored_env.ParseFromString(fuzzed.substr(kHashSize)));
  PublishableRecord out;
  ASSERT_TRUE(PrepareEnvelope(stored_env.sequence(), fuzzed, &out).ok());
  v1::EventEnvelope published;
  ASSERT_TRUE(published.ParseFromString(out.envelope));
  EXPECT_EQ(published.hash(), fuzzed.substr(0, kHashSize));
  published.clear_hash();
  EXPECT_EQ(published.SerializeAsString(), stored_env.SerializeAsString());

  // A record sealed with an unknown field 99 after the known ones: the
  // consumer's check, SHA-256(prev_hash || envelope without hash), holds.
  RecordedEvent record = SampleRecord();
  std::string canonical = EncodeCanonical(record) + std::string("\x98\x06\x01", 3);
  std::string prev(reinterpret_cast<const char*>(record.prev_hash.data()), kHashSize);
  Sha256Digest hash = Sha256(prev, canonical);
  std::string value(reinterpret_cast<const char*>(hash.data()), kHashSize);
  ASSERT_TRUE(PrepareEnvelope(record.sequence, value + canonical, &out).ok());
  ASSERT_TRUE(published.ParseFromString(out.envelope));
  published.clear_hash();
  EXPECT_EQ(Sha256(prev, published.SerializeAsString()), hash);
}

TEST(RecordTest, PrepareEnvelopeOfADamagedRecordIsCorruptionNamingTheSequence) {
  RecordedEvent record = SampleRecord();
  std::string stored = SealRecord(record);
  PublishableRecord out;
  Status truncated = PrepareEnvelope(record.sequence, stored.substr(0, 10), &out);
  EXPECT_EQ(truncated.code(), StatusCode::kCorruption);
  EXPECT_NE(truncated.message().find("sequence " + std::to_string(record.sequence)),
            std::string::npos)
      << truncated.message();
  Status cut = PrepareEnvelope(record.sequence, stored.substr(0, stored.size() - 3), &out);
  EXPECT_EQ(cut.code(), StatusCode::kCorruption) << cut.message();
  Status elsewhere = PrepareEnvelope(record.sequence + 1, stored, &out);
  EXPECT_EQ(elsewhere.code(), StatusCode::kCorruption) << elsewhere.message();
}

TEST(RecordTest, ARecordedAtOutOfRangeIsCorruptionNamingTheSequence) {
  for (int64_t seconds : {int64_t{1} << 62, -(int64_t{1} << 62), int64_t{253402300800}}) {
    v1::EventEnvelope env;
    env.set_sequence(7);
    env.set_stream_id("s");
    env.set_event_type("test.Recorded");
    env.mutable_recorded_at()->set_seconds(seconds);
    env.set_prev_hash(std::string(kHashSize, '\0'));
    std::string stored = std::string(kHashSize, '\0') + env.SerializeAsString();
    RecordedEvent out;
    Status s = DecodeStoredRecord(7, stored, &out, HashCheck::kSkip);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << seconds;
    EXPECT_NE(s.message().find("sequence 7: recorded_at is out of range"), std::string::npos)
        << s.message();
    env.set_hash(std::string(kHashSize, '\0'));
    EXPECT_EQ(DecodeEnvelope(env.SerializeAsString(), &out).code(), StatusCode::kInvalidArgument);
  }
}

TEST(RecordTest, DecodeEnvelopeRejectsBadInput) {
  RecordedEvent out;
  Status garbage = DecodeEnvelope("\xff\xff", &out);
  EXPECT_EQ(garbage.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(garbage.message(), "bytes do not parse as rotor.v1.EventEnvelope");
  v1::EventEnvelope env;
  env.ParseFromString(EncodeEnvelope(SampleRecord()));
  env.set_hash("short");
  Status short_hash = DecodeEnvelope(env.SerializeAsString(), &out);
  EXPECT_EQ(short_hash.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(short_hash.message(), "envelope hash is not 32 bytes");
  env.clear_hash();
  Status canonical = DecodeEnvelope(env.SerializeAsString(), &out);
  EXPECT_EQ(canonical.message(), "envelope hash is not 32 bytes");
}

TEST(HashTest, Sha256AndHex) {
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("ab", "c"), Sha256("abc"));
  EXPECT_EQ(ToHex(std::string_view("\x00\x7f\xff", 3)), "007fff");
  EXPECT_TRUE(IsSha256Hex(std::string(64, 'f')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'F')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(65, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace rotor::testing
