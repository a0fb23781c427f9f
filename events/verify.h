// Verify: walks the stored log and proves the hash chain holds.
// Thread-safe (reads only).
#pragma once

#include <cstdint>
#include <string>

#include "events/event_log.h"

namespace rotor {

struct VerifyReport {
  uint64_t events = 0;       // records checked
  Sha256Digest head_hash{};  // hash of the last record (anchor it externally)
  bool ok = true;
  uint64_t first_bad_sequence = 0;  // set when !ok
  std::string problem;              // what was wrong at first_bad_sequence
};

// Checks, for every record from sequence 1: that sequences are contiguous
// (a deleted record is named by its missing sequence), that the record
// decodes and holds its own sequence, that prev_hash equals the previous
// record's hash, and that the hash matches the bytes. Stops at the first bad
// record. Returns a report; an error Status only when the store cannot be read.
Result<VerifyReport> Verify(const EventLog& log);

}  // namespace rotor
