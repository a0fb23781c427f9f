// The unit the event log stores and returns, and its canonical encoding.
//
// A stored record is the 32-byte SHA-256 `hash` followed by the record's
// canonical bytes: the rotor.v1.EventEnvelope serialized with `hash` unset.
// hash = SHA-256(prev_hash || canonical bytes). See docs/storage.md.
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/hash.h"
#include "base/status.h"
#include "base/time.h"

namespace rotor {

// An event to append: the payload is already encoded (see events/codec.h).
struct NewEvent {
  std::string event_type;  // "rotor.v1.ReplacementInitiated"
  std::string payload;     // serialized payload message
  Time recorded_at;
  std::string actor;
  std::string correlation_id;
  std::string causation_id;
};

// An event as stored in the log.
struct RecordedEvent {
  uint64_t sequence = 0;
  std::string stream_id;
  uint64_t stream_version = 0;
  std::string event_type;
  Time recorded_at;
  std::string actor;
  std::string correlation_id;
  std::string causation_id;
  std::string idempotency_key;
  Sha256Digest prev_hash{};
  Sha256Digest hash{};
  std::string payload;
};

inline constexpr size_t kHashSize = 32;

// Serializes `event` as an EventEnvelope without `hash`: the bytes that are hashed.
std::string EncodeCanonical(const RecordedEvent& event);

// Computes event.hash from event.prev_hash and the canonical bytes, and returns
// the stored value (hash || canonical).
std::string SealRecord(RecordedEvent& event);

enum class HashCheck { kSkip, kVerify };

// Decodes a stored value found under `sequence`. Checks that it parses and that
// the envelope's sequence equals `sequence`; with kVerify also that the hash
// matches the bytes (reads rely on RocksDB's block checksums and skip it;
// Verify() does it). Errors: kCorruption naming the sequence number.
Status DecodeStoredRecord(uint64_t sequence, std::string_view value, RecordedEvent* out,
                          HashCheck check = HashCheck::kSkip);

// The full envelope with `hash` set: what Kafka consumers and exports see.
std::string EncodeEnvelope(const RecordedEvent& event);

// A stored record made ready to publish without decoding its payload: the
// full envelope and the fields that key and label it. For every record the
// log writes (SealRecord) the envelope is byte for byte what EncodeEnvelope
// writes; stored bytes of another layout (another field order, fields this
// build does not know) still give an envelope of the same message, every
// stored field kept. Reusing one keeps its buffers.
struct PublishableRecord {
  uint64_t sequence = 0;
  std::string envelope;
  std::string stream_id;
  std::string event_type;
  Time recorded_at;
  Sha256Digest hash{};
};

// Fills `out` from the stored value found under `sequence`. Errors:
// kCorruption naming the sequence number, as DecodeStoredRecord.
Status PrepareEnvelope(uint64_t sequence, std::string_view value, PublishableRecord* out);

// Parses a full envelope (as published or exported). Errors: kInvalidArgument.
Status DecodeEnvelope(std::string_view bytes, RecordedEvent* out);

}  // namespace rotor
