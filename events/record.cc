#include "events/record.h"

#include <cstring>

#include "base/coding.h"
#include "events/wire.h"
#include "rotor/v1/envelope.pb.h"

namespace rotor {
namespace {

void ToProto(const RecordedEvent& e, v1::EventEnvelope* env) {
  env->set_sequence(e.sequence);
  env->set_stream_id(e.stream_id);
  env->set_stream_version(e.stream_version);
  env->set_event_type(e.event_type);
  int64_t us = ToMicros(e.recorded_at);
  int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  env->mutable_recorded_at()->set_seconds(secs);
  env->mutable_recorded_at()->set_nanos(static_cast<int32_t>((us - secs * 1000000) * 1000));
  env->set_actor(e.actor);
  env->set_correlation_id(e.correlation_id);
  env->set_causation_id(e.causation_id);
  env->set_idempotency_key(e.idempotency_key);
  env->set_prev_hash(e.prev_hash.data(), e.prev_hash.size());
  env->set_payload(e.payload);
}

bool CopyDigest(const std::string& bytes, Sha256Digest* out) {
  if (bytes.size() != out->size()) return false;
  std::memcpy(out->data(), bytes.data(), out->size());
  return true;
}

// google.protobuf.Timestamp's range, 0001-01-01 to 9999-12-31 (as the codec
// checks): inside it, seconds * 1000000 cannot overflow.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

bool TimestampInRange(int64_t seconds, int64_t nanos) {
  return seconds >= kMinTimestampSeconds && seconds <= kMaxTimestampSeconds && nanos >= 0 &&
         nanos <= 999999999;
}

// Moves the fields of `env` into `out`. Returns false when a hash is
// malformed; recorded_at must be in range (TimestampInRange).
bool FromProto(v1::EventEnvelope& env, RecordedEvent* out) {
  out->sequence = env.sequence();
  out->stream_id = std::move(*env.mutable_stream_id());
  out->stream_version = env.stream_version();
  out->event_type = std::move(*env.mutable_event_type());
  out->recorded_at =
      TimeFromMicros(env.recorded_at().seconds() * 1000000 + env.recorded_at().nanos() / 1000);
  out->actor = std::move(*env.mutable_actor());
  out->correlation_id = std::move(*env.mutable_correlation_id());
  out->causation_id = std::move(*env.mutable_causation_id());
  out->idempotency_key = std::move(*env.mutable_idempotency_key());
  out->payload = std::move(*env.mutable_payload());
  return CopyDigest(env.prev_hash(), &out->prev_hash);
}

v1::EventEnvelope& ScratchEnvelope() {
  thread_local v1::EventEnvelope env;
  return env;
}

// Hand-written EventEnvelope wire format for the hot paths (SealRecord,
// DecodeStoredRecord). Both produce exactly what the generated code does and
// step aside for the generated code whenever an input is outside the common
// shape, so that every byte, error and log line stays the generated code's.

enum Field : uint32_t {
  kSequence = 1,
  kStreamId = 2,
  kStreamVersion = 3,
  kEventType = 4,
  kRecordedAt = 5,
  kActor = 6,
  kCorrelationId = 7,
  kCausationId = 8,
  kIdempotencyKey = 9,
  kPrevHash = 10,
  kHash = 11,
  kPayload = 12,
};
constexpr uint32_t kVarintType = 0;
constexpr uint32_t kLengthType = 2;
// Larger values take the generated code's path (it refuses messages of 2 GiB).
constexpr size_t kFastPathMaxBytes = size_t{1} << 30;

using wire::GetVarint;
using wire::IsAscii;

// Writes protobuf wire format into a buffer the caller sized beforehand.
class WireWriter {
 public:
  explicit WireWriter(char* p) : p_(p) {}
  char* Pos() const { return p_; }

  void Byte(uint32_t b) { *p_++ = static_cast<char>(b); }
  void Varint(uint64_t v) { p_ = EncodeVarint64(p_, v); }
  void VarintField(uint32_t field, uint64_t v) {
    if (v == 0) return;  // proto3 omits default values
    Byte(field << 3 | kVarintType);
    Varint(v);
  }
  void BytesField(uint32_t field, std::string_view v) {
    if (v.empty()) return;
    Byte(field << 3 | kLengthType);
    Varint(v.size());
    std::memcpy(p_, v.data(), v.size());
    p_ += v.size();
  }

 private:
  char* p_;
};

// recorded_at as ToProto splits it into google.protobuf.Timestamp.
void SplitTime(Time t, int64_t* seconds, int32_t* nanos) {
  int64_t us = ToMicros(t);
  int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  *seconds = secs;
  *nanos = static_cast<int32_t>((us - secs * 1000000) * 1000);
}

// Appends the canonical bytes of `e` (the EventEnvelope without `hash`, as
// SerializeToString writes them) to `out`. Returns false, appending nothing,
// when the generated code must do it: a non-ASCII string (it checks UTF-8
// and logs) or a huge payload.
// Writes the canonical bytes of `e`, or with `with_hash` the full envelope
// (the hash, field 11, before the payload), as the generated code would.
bool AppendEnvelopeFast(const RecordedEvent& e, bool with_hash, std::string* out) {
  const std::string_view strings[] = {e.stream_id,      e.event_type,   e.actor,
                                      e.correlation_id, e.causation_id, e.idempotency_key};
  size_t bytes = e.payload.size();
  for (std::string_view s : strings) {
    if (!IsAscii(s)) return false;
    bytes += s.size();
  }
  if (bytes > kFastPathMaxBytes) return false;
  // Tags and lengths of nine length-delimited fields, two varint fields and
  // the timestamp's two take at most 100 bytes; prev_hash and hash kHashSize.
  size_t start = out->size();
  out->resize(start + bytes + 2 * kHashSize + 100);
  WireWriter w(out->data() + start);
  w.VarintField(kSequence, e.sequence);
  w.BytesField(kStreamId, e.stream_id);
  w.VarintField(kStreamVersion, e.stream_version);
  w.BytesField(kEventType, e.event_type);
  int64_t seconds = 0;
  int32_t nanos = 0;
  SplitTime(e.recorded_at, &seconds, &nanos);
  // Always present (ToProto sets it), even when both of its fields are zero.
  auto seconds_wire = static_cast<uint64_t>(seconds);
  auto nanos_wire = static_cast<uint64_t>(static_cast<int64_t>(nanos));
  size_t ts_size = (seconds_wire != 0 ? 1 + VarintLength(seconds_wire) : 0) +
                   (nanos_wire != 0 ? 1 + VarintLength(nanos_wire) : 0);
  w.Byte(kRecordedAt << 3 | kLengthType);
  w.Varint(ts_size);
  w.VarintField(1, seconds_wire);
  w.VarintField(2, nanos_wire);
  w.BytesField(kActor, e.actor);
  w.BytesField(kCorrelationId, e.correlation_id);
  w.BytesField(kCausationId, e.causation_id);
  w.BytesField(kIdempotencyKey, e.idempotency_key);
  w.BytesField(kPrevHash,
               std::string_view(reinterpret_cast<const char*>(e.prev_hash.data()), kHashSize));
  if (with_hash) {
    w.BytesField(kHash, std::string_view(reinterpret_cast<const char*>(e.hash.data()), kHashSize));
  }
  w.BytesField(kPayload, e.payload);
  out->resize(static_cast<size_t>(w.Pos() - out->data()));
  return true;
}

bool AppendCanonicalFast(const RecordedEvent& e, std::string* out) {
  return AppendEnvelopeFast(e, false, out);
}

// The fields of canonical bytes, pointing into them.
struct CanonicalView {
  uint64_t sequence = 0;
  uint64_t stream_version = 0;
  int64_t seconds = 0;
  int32_t nanos = 0;
  std::string_view stream_id, event_type, actor, correlation_id, causation_id, idempotency_key;
  std::string_view prev_hash, payload;
  // Where the payload field's tag starts in the parsed bytes (npos: absent).
  size_t payload_tag = std::string_view::npos;
};

bool ParseTimestampFast(std::string_view in, int64_t* seconds, int32_t* nanos) {
  const char* p = in.data();
  const char* end = p + in.size();
  uint32_t seen = 0;
  while (p < end) {
    auto tag = static_cast<uint8_t>(*p++);
    uint32_t field = tag >> 3;
    if ((tag & 7) != kVarintType || (field != 1 && field != 2) || (seen >> field & 1) != 0) {
      return false;
    }
    seen |= 1u << field;
    uint64_t v = 0;
    if (!GetVarint(&p, end, &v)) return false;
    if (field == 1) {
      *seconds = static_cast<int64_t>(v);
    } else {
      if (v > 0x7fffffff) return false;
      *nanos = static_cast<int32_t>(v);
    }
  }
  return true;
}

std::string_view* StringField(CanonicalView* v, uint32_t field) {
  switch (field) {
    case kStreamId:
      return &v->stream_id;
    case kEventType:
      return &v->event_type;
    case kActor:
      return &v->actor;
    case kCorrelationId:
      return &v->correlation_id;
    case kCausationId:
      return &v->causation_id;
    case kIdempotencyKey:
      return &v->idempotency_key;
    default:
      return nullptr;
  }
}

// Parses canonical bytes of the shape AppendCanonicalFast writes: known
// fields in field-number order, each at most once with its declared wire
// type, ASCII strings, a 32-byte prev_hash, no `hash`, no unknown fields.
// Anything else returns false and the generated parser decides (it may still
// accept it, e.g. a repeated field or another order).
bool ParseCanonicalFast(std::string_view in, CanonicalView* v) {
  if (in.size() > kFastPathMaxBytes) return false;
  const char* p = in.data();
  const char* end = p + in.size();
  uint32_t last = 0;
  while (p < end) {
    const char* tag_at = p;
    auto tag = static_cast<uint8_t>(*p++);
    uint32_t field = tag >> 3;
    if (field <= last || field > kPayload || field == kHash) return false;
    last = field;
    bool is_varint = field == kSequence || field == kStreamVersion;
    if ((tag & 7) != (is_varint ? kVarintType : kLengthType)) return false;
    uint64_t n = 0;
    if (!GetVarint(&p, end, &n)) return false;
    if (is_varint) {
      (field == kSequence ? v->sequence : v->stream_version) = n;
      continue;
    }
    if (n > static_cast<uint64_t>(end - p)) return false;
    std::string_view bytes(p, n);
    p += n;
    if (field == kRecordedAt) {
      if (!ParseTimestampFast(bytes, &v->seconds, &v->nanos) ||
          !TimestampInRange(v->seconds, v->nanos)) {
        return false;
      }
    } else if (field == kPrevHash) {
      v->prev_hash = bytes;
    } else if (field == kPayload) {
      v->payload = bytes;
      v->payload_tag = static_cast<size_t>(tag_at - in.data());
    } else {
      if (!IsAscii(bytes)) return false;
      *StringField(v, field) = bytes;
    }
  }
  return v->prev_hash.size() == kHashSize;
}

Time ViewTime(const CanonicalView& v) {
  return TimeFromMicros(v.seconds * 1000000 + v.nanos / 1000);
}

// Copies `v` into `out`, reusing the capacity of its strings.
void AssignView(const CanonicalView& v, RecordedEvent* out) {
  out->sequence = v.sequence;
  out->stream_id.assign(v.stream_id);
  out->stream_version = v.stream_version;
  out->event_type.assign(v.event_type);
  out->recorded_at = ViewTime(v);
  out->actor.assign(v.actor);
  out->correlation_id.assign(v.correlation_id);
  out->causation_id.assign(v.causation_id);
  out->idempotency_key.assign(v.idempotency_key);
  out->payload.assign(v.payload);
  std::memcpy(out->prev_hash.data(), v.prev_hash.data(), kHashSize);
}

std::string SeqText(uint64_t sequence) { return "sequence " + std::to_string(sequence); }

// DecodeStoredRecord through the generated parser: every input the fast path
// declines, and all of the errors.
Status DecodeCanonicalSlow(uint64_t sequence, std::string_view canonical, RecordedEvent* out) {
  v1::EventEnvelope& env = ScratchEnvelope();
  if (!env.ParseFromArray(canonical.data(), static_cast<int>(canonical.size()))) {
    return Status::Corruption(SeqText(sequence) + ": record bytes do not parse as EventEnvelope");
  }
  if (env.sequence() != sequence) {
    return Status::Corruption(SeqText(sequence) + ": record holds sequence " +
                              std::to_string(env.sequence()));
  }
  if (!TimestampInRange(env.recorded_at().seconds(), env.recorded_at().nanos())) {
    return Status::Corruption(SeqText(sequence) + ": recorded_at is out of range (seconds " +
                              std::to_string(env.recorded_at().seconds()) + ", nanos " +
                              std::to_string(env.recorded_at().nanos()) + ")");
  }
  if (!FromProto(env, out)) {
    return Status::Corruption(SeqText(sequence) + ": prev_hash is not 32 bytes");
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeCanonical(const RecordedEvent& event) {
  std::string out;
  if (AppendCanonicalFast(event, &out)) return out;
  v1::EventEnvelope& env = ScratchEnvelope();
  env.Clear();
  ToProto(event, &env);
  env.SerializeToString(&out);
  return out;
}

std::string SealRecord(RecordedEvent& event) {
  // The value is hash || canonical: write the canonical bytes after room for
  // the hash, then hash them in place.
  std::string value(kHashSize, '\0');
  if (!AppendCanonicalFast(event, &value)) value.append(EncodeCanonical(event));
  std::string_view canonical = std::string_view{value}.substr(kHashSize);
  event.hash = Sha256(std::string_view(reinterpret_cast<const char*>(event.prev_hash.data()),
                                       event.prev_hash.size()),
                      canonical);
  std::memcpy(value.data(), event.hash.data(), kHashSize);
  return value;
}

Status DecodeStoredRecord(uint64_t sequence, std::string_view value, RecordedEvent* out,
                          HashCheck check) {
  if (value.size() < kHashSize) {
    return Status::Corruption(SeqText(sequence) + ": truncated record (" +
                              std::to_string(value.size()) + " bytes)");
  }
  std::string_view canonical = value.substr(kHashSize);
  CanonicalView view;
  if (ParseCanonicalFast(canonical, &view) && view.sequence == sequence) {
    AssignView(view, out);
  } else {
    ROTOR_RETURN_IF_ERROR(DecodeCanonicalSlow(sequence, canonical, out));
  }
  std::memcpy(out->hash.data(), value.data(), kHashSize);
  if (check == HashCheck::kSkip) return Status::Ok();
  Sha256Digest expect = Sha256(
      std::string_view(reinterpret_cast<const char*>(out->prev_hash.data()), kHashSize), canonical);
  if (expect != out->hash) {
    return Status::Corruption(SeqText(sequence) + ": hash does not match the record's bytes");
  }
  return Status::Ok();
}

std::string EncodeEnvelope(const RecordedEvent& event) {
  std::string out;
  if (AppendEnvelopeFast(event, true, &out)) return out;
  v1::EventEnvelope& env = ScratchEnvelope();
  env.Clear();
  ToProto(event, &env);
  env.set_hash(event.hash.data(), event.hash.size());
  env.SerializeToString(&out);
  return out;
}

Status PrepareEnvelope(uint64_t sequence, std::string_view value, PublishableRecord* out) {
  out->sequence = sequence;
  CanonicalView view;
  std::string_view canonical = value.size() >= kHashSize ? value.substr(kHashSize) : "";
  // The envelope is the canonical bytes with the hash (field 11) before the
  // payload (field 12), as the generated code orders them. Fast path: fields
  // in order, a non-empty payload that is the last field, or no payload.
  size_t split = canonical.size();
  bool fast = value.size() >= kHashSize && ParseCanonicalFast(canonical, &view) &&
              view.sequence == sequence;
  if (fast && view.payload_tag != std::string_view::npos) {
    fast = !view.payload.empty() &&
           view.payload.data() + view.payload.size() == canonical.data() + canonical.size();
    split = view.payload_tag;
  }
  if (!fast) {
    RecordedEvent event;
    ROTOR_RETURN_IF_ERROR(DecodeStoredRecord(sequence, value, &event));
    // Through the generated code, which keeps fields this build does not
    // know (a record written by a newer version): the published envelope
    // must hold every byte the hash covers.
    v1::EventEnvelope& env = ScratchEnvelope();
    if (!env.ParseFromArray(canonical.data(), static_cast<int>(canonical.size()))) {
      return Status::Corruption(SeqText(sequence) + ": record bytes do not parse as EventEnvelope");
    }
    env.set_hash(value.data(), kHashSize);
    out->envelope.clear();
    env.SerializeToString(&out->envelope);
    out->stream_id = std::move(event.stream_id);
    out->event_type = std::move(event.event_type);
    out->recorded_at = event.recorded_at;
    out->hash = event.hash;
    return Status::Ok();
  }
  out->envelope.clear();
  out->envelope.reserve(canonical.size() + 2 + kHashSize);
  out->envelope.append(canonical.substr(0, split));
  out->envelope.push_back(static_cast<char>(kHash << 3 | kLengthType));
  out->envelope.push_back(static_cast<char>(kHashSize));
  out->envelope.append(value.substr(0, kHashSize));
  out->envelope.append(canonical.substr(split));
  out->stream_id.assign(view.stream_id);
  out->event_type.assign(view.event_type);
  out->recorded_at = ViewTime(view);
  std::memcpy(out->hash.data(), value.data(), kHashSize);
  return Status::Ok();
}

Status DecodeEnvelope(std::string_view bytes, RecordedEvent* out) {
  v1::EventEnvelope& env = ScratchEnvelope();
  if (!env.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("bytes do not parse as rotor.v1.EventEnvelope");
  }
  if (!CopyDigest(env.hash(), &out->hash)) {
    return Status::InvalidArgument("envelope hash is not 32 bytes");
  }
  if (!TimestampInRange(env.recorded_at().seconds(), env.recorded_at().nanos())) {
    return Status::InvalidArgument("envelope recorded_at is out of range");
  }
  if (!FromProto(env, out)) return Status::InvalidArgument("envelope prev_hash is not 32 bytes");
  return Status::Ok();
}

}  // namespace rotor
