// The events `rotor-bench log` appends, and the exact bytes the log stores for
// them, so that the raw RocksDB baselines write the same values. Pure
// functions of their arguments (deterministic); thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "events/event_log.h"

namespace rotor::bench {

// A realistic event (rotor.v1.CertificateStaged) numbered `i` whose payload is
// about `payload_bytes` long (never shorter than the message's fixed fields).
NewEvent MakeBenchEvent(uint64_t i, size_t payload_bytes);

// `events` events in appends of `batch` events (the last may be shorter),
// spread over `streams` streams, each with the exact expected version.
std::vector<AppendRequest> MakeBatches(uint64_t events, size_t batch, size_t payload_bytes,
                                       size_t streams);

// Per thread: `per_thread` single-event appends to the thread's own stream.
std::vector<std::vector<AppendRequest>> MakeSingleAppends(size_t threads, size_t per_thread,
                                                          size_t payload_bytes);

// A stored record: the events column family's key and value.
struct StoredRecord {
  std::string key;    // RocksDbEventLog::SequenceKey(sequence)
  std::string value;  // hash || canonical envelope
};

// The records an empty log stores after appending `requests` in order (what
// RocksDbEventLog writes to its events column family).
std::vector<StoredRecord> SealInOrder(const std::vector<AppendRequest>& requests);

}  // namespace rotor::bench
