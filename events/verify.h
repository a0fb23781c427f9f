// Verify: walks the stored log and proves the hash chain holds.
// Thread-safe (reads only).
#pragma once

#include <cstdint>
#include <string>

#include "events/event_log.h"
#include "events/merkle.h"

namespace rotor {

struct VerifyReport {
  uint64_t events = 0;       // records checked
  Sha256Digest head_hash{};  // hash of the last record (anchor it externally)
  bool ok = true;
  uint64_t first_bad_sequence = 0;  // set when !ok
  std::string problem;              // what was wrong at first_bad_sequence
  // RFC 9162 root of the records checked (events/merkle.h), and how many of
  // them were compared with the leaves a stored tree recorded.
  Sha256Digest tree_root{};
  uint64_t tree_leaves_checked = 0;
};

// Checks, for every record from sequence 1: that sequences are contiguous
// (a deleted record is named by its missing sequence), that the record
// decodes and holds its own sequence, that prev_hash equals the previous
// record's hash, and that the hash matches the bytes. Stops at the first bad
// record. With `tree` (the stored Merkle tree of the log's first `tree_size`
// records), also that each of those records still hashes to the leaf the
// tree recorded when it was appended, so that a record rewritten afterwards
// (chain and all) is named. Returns a report; an error Status only when the
// store or the tree cannot be read.
Result<VerifyReport> Verify(const EventLog& log, const merkle::TileHashReader* tree = nullptr,
                            uint64_t tree_size = 0);

}  // namespace rotor
