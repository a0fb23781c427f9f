#include "events/record.h"

#include <cstring>

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

// Moves the fields of `env` into `out`. Returns false when a hash is malformed.
bool FromProto(v1::EventEnvelope& env, RecordedEvent* out) {
  out->sequence = env.sequence();
  out->stream_id = std::move(*env.mutable_stream_id());
  out->stream_version = env.stream_version();
  out->event_type = std::move(*env.mutable_event_type());
  out->recorded_at = TimeFromMicros(env.recorded_at().seconds() * 1000000 +
                                    env.recorded_at().nanos() / 1000);
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

std::string SeqText(uint64_t sequence) { return "sequence " + std::to_string(sequence); }

}  // namespace

std::string EncodeCanonical(const RecordedEvent& event) {
  v1::EventEnvelope& env = ScratchEnvelope();
  env.Clear();
  ToProto(event, &env);
  std::string out;
  env.SerializeToString(&out);
  return out;
}

std::string SealRecord(RecordedEvent& event) {
  std::string canonical = EncodeCanonical(event);
  event.hash = Sha256(std::string_view(reinterpret_cast<const char*>(event.prev_hash.data()),
                                       event.prev_hash.size()),
                      canonical);
  std::string value;
  value.reserve(kHashSize + canonical.size());
  value.append(reinterpret_cast<const char*>(event.hash.data()), event.hash.size());
  value.append(canonical);
  return value;
}

Status DecodeStoredRecord(uint64_t sequence, std::string_view value, RecordedEvent* out,
                          HashCheck check) {
  if (value.size() < kHashSize) {
    return Status::Corruption(SeqText(sequence) + ": truncated record (" +
                              std::to_string(value.size()) + " bytes)");
  }
  std::string_view canonical = value.substr(kHashSize);
  v1::EventEnvelope& env = ScratchEnvelope();
  if (!env.ParseFromArray(canonical.data(), static_cast<int>(canonical.size()))) {
    return Status::Corruption(SeqText(sequence) + ": record bytes do not parse as EventEnvelope");
  }
  if (env.sequence() != sequence) {
    return Status::Corruption(SeqText(sequence) + ": record holds sequence " +
                              std::to_string(env.sequence()));
  }
  if (!FromProto(env, out)) {
    return Status::Corruption(SeqText(sequence) + ": prev_hash is not 32 bytes");
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
  v1::EventEnvelope& env = ScratchEnvelope();
  env.Clear();
  ToProto(event, &env);
  env.set_hash(event.hash.data(), event.hash.size());
  std::string out;
  env.SerializeToString(&out);
  return out;
}

Status DecodeEnvelope(std::string_view bytes, RecordedEvent* out) {
  v1::EventEnvelope& env = ScratchEnvelope();
  if (!env.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("bytes do not parse as rotor.v1.EventEnvelope");
  }
  if (!CopyDigest(env.hash(), &out->hash)) {
    return Status::InvalidArgument("envelope hash is not 32 bytes");
  }
  if (!FromProto(env, out)) return Status::InvalidArgument("envelope prev_hash is not 32 bytes");
  return Status::Ok();
}

}  // namespace rotor
