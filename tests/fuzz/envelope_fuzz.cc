// Differential target: stored records and envelopes. DecodeStoredRecord and
// PrepareEnvelope (events/record.cc: a hand-written fast path that steps aside
// for the generated code) against protobuf's own parser of
// rotor.v1.EventEnvelope. They must agree on accept/reject and on every
// decoded value; what is accepted must survive EncodeCanonical,
// EncodeEnvelope and DecodeEnvelope unchanged.
//
// Input: a stored value, hash(32) || canonical envelope bytes.
#include <google/protobuf/util/message_differencer.h>

#include <cstring>

#include "base/hash.h"
#include "events/record.h"
#include "rotor/v1/envelope.pb.h"
#include "tests/fuzz/fuzz_util.h"

namespace rotor {
namespace {

// google.protobuf.Timestamp's range, as docs/storage.md states it.
bool InRange(const google::protobuf::Timestamp& t) {
  return t.seconds() >= -62135596800 && t.seconds() <= 253402300799 && t.nanos() >= 0 &&
         t.nanos() <= 999999999;
}

bool SameDigest(const Sha256Digest& d, std::string_view bytes) {
  return bytes.size() == kHashSize && std::memcmp(d.data(), bytes.data(), kHashSize) == 0;
}

bool Same(const RecordedEvent& a, const RecordedEvent& b) {
  return a.sequence == b.sequence && a.stream_id == b.stream_id &&
         a.stream_version == b.stream_version && a.event_type == b.event_type &&
         a.recorded_at == b.recorded_at && a.actor == b.actor &&
         a.correlation_id == b.correlation_id && a.causation_id == b.causation_id &&
         a.idempotency_key == b.idempotency_key && a.prev_hash == b.prev_hash &&
         a.payload == b.payload;
}

// What the generated parser makes of `env`, as a RecordedEvent.
void Expect(const v1::EventEnvelope& env, std::string_view hash, RecordedEvent* out) {
  out->sequence = env.sequence();
  out->stream_id = env.stream_id();
  out->stream_version = env.stream_version();
  out->event_type = env.event_type();
  out->recorded_at =
      TimeFromMicros(env.recorded_at().seconds() * 1000000 + env.recorded_at().nanos() / 1000);
  out->actor = env.actor();
  out->correlation_id = env.correlation_id();
  out->causation_id = env.causation_id();
  out->idempotency_key = env.idempotency_key();
  out->payload = env.payload();
  std::memcpy(out->prev_hash.data(), env.prev_hash().data(), kHashSize);
  std::memcpy(out->hash.data(), hash.data(), kHashSize);
}

void CheckEnvelope(uint64_t sequence, std::string_view value, const v1::EventEnvelope& env,
                   bool accepted) {
  PublishableRecord pub;
  Status prepared = PrepareEnvelope(sequence, value, &pub);
  FUZZ_CHECK(prepared.ok() == accepted);
  if (!accepted) return;
  v1::EventEnvelope published;
  FUZZ_CHECK(published.ParseFromString(pub.envelope));
  v1::EventEnvelope want = env;
  want.set_hash(std::string(value.substr(0, kHashSize)));
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(published, want));
  FUZZ_CHECK(pub.stream_id == env.stream_id() && pub.event_type == env.event_type());
  FUZZ_CHECK(SameDigest(pub.hash, value.substr(0, kHashSize)));
}

}  // namespace
}  // namespace rotor

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor;
  std::string_view value = fuzz::Bytes(data, size);
  v1::EventEnvelope env;
  bool parsed = value.size() >= kHashSize &&
                env.ParseFromArray(value.data() + kHashSize, static_cast<int>(size - kHashSize));
  uint64_t sequence = parsed ? env.sequence() : 1;
  bool accepted = parsed && InRange(env.recorded_at()) && env.prev_hash().size() == kHashSize;

  RecordedEvent got;
  Status decoded = DecodeStoredRecord(sequence, value, &got, HashCheck::kSkip);
  FUZZ_CHECK(decoded.ok() == accepted);
  // The record must be found under its own sequence number only.
  RecordedEvent other;
  FUZZ_CHECK(!DecodeStoredRecord(sequence + 1, value, &other, HashCheck::kSkip).ok());
  CheckEnvelope(sequence, value, env, accepted);
  if (!accepted) return 0;

  RecordedEvent want;
  Expect(env, value.substr(0, kHashSize), &want);
  FUZZ_CHECK(Same(got, want) && got.hash == want.hash);
  // The hash check accepts exactly SHA-256(prev_hash || canonical bytes).
  Status verified = DecodeStoredRecord(sequence, value, &other, HashCheck::kVerify);
  Sha256Digest expect =
      Sha256(std::string_view(reinterpret_cast<const char*>(want.prev_hash.data()), kHashSize),
             value.substr(kHashSize));
  FUZZ_CHECK(verified.ok() == (expect == want.hash));

  // Round trips through the writers (fast or generated).
  std::string canonical = EncodeCanonical(got);
  std::string stored = std::string(value.substr(0, kHashSize)) + canonical;
  RecordedEvent again;
  FUZZ_CHECK(DecodeStoredRecord(sequence, stored, &again, HashCheck::kSkip).ok());
  FUZZ_CHECK(Same(again, got));
  RecordedEvent from_envelope;
  FUZZ_CHECK(DecodeEnvelope(EncodeEnvelope(got), &from_envelope).ok());
  FUZZ_CHECK(Same(from_envelope, got) && from_envelope.hash == got.hash);
  return 0;
}
