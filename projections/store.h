// ProjectionStore: where projections keep their state and checkpoint, apart
// from the event log (its own RocksDB directory; one column family per
// projection). A StoreBatch collects one projection's writes; Commit writes
// them together with the checkpoint atomically, so after a crash the stored
// state is exactly the fold of the log up to the stored checkpoint.
//
// Implementations: RocksDbProjectionStore (the product's) and
// MemoryProjectionStore (tests). Thread safety: all methods are safe to call
// concurrently; a StoreBatch is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "base/time.h"
#include "projections/projection.h"

namespace rotor::projections {

// The last event folded into a projection's stored state.
struct Checkpoint {
  uint64_t sequence = 0;  // 0: nothing applied
  Time recorded_at;
  Sha256Digest hash{};  // the event's hash: detects a store paired with another log
  bool operator==(const Checkpoint&) const = default;
};

class StoreBatch : public KvWriter {
 public:
  // Deletes every key of the projection; later writes in the batch survive.
  // Call it before any Put.
  virtual void ClearAll() = 0;
  // Bytes buffered so far.
  virtual size_t ApproximateSize() const = 0;
};

class ProjectionStore {
 public:
  virtual ~ProjectionStore() = default;

  // A batch for projection `name` (creating its key space when new).
  // Errors: kInvalidArgument (empty name), kIoError.
  virtual Result<std::unique_ptr<StoreBatch>> NewBatch(std::string_view name) = 0;

  // Writes `batch` and `checkpoint` atomically (durably when the store syncs).
  // Errors: kIoError; nothing is written then.
  virtual Status Commit(StoreBatch& batch, const Checkpoint& checkpoint) = 0;

  // The projection's stored checkpoint; sequence 0 when it has none.
  // Errors: kCorruption, kIoError.
  virtual Result<Checkpoint> ReadCheckpoint(std::string_view name) const = 0;

  // A reader of the projection's stored state (a consistent snapshot).
  // Errors: kIoError.
  virtual Result<std::unique_ptr<KvReader>> NewReader(std::string_view name) const = 0;

  // Snapshots: whole copies of a projection's state at one sequence, kept
  // apart from its live state for as-of queries. The store keeps the bytes;
  // projections/snapshot.h makes and checks them.

  // Stores `bytes` as the snapshot of `name` at `sequence`, replacing one
  // there (durably when the store syncs). Errors: kInvalidArgument (empty
  // name), kIoError; nothing is stored then.
  virtual Status PutSnapshot(std::string_view name, uint64_t sequence, std::string_view bytes) = 0;
  // The sequences of `name`'s snapshots, ascending. Errors: kIoError, kCorruption.
  virtual Result<std::vector<uint64_t>> ListSnapshots(std::string_view name) const = 0;
  // The bytes of a snapshot, as stored: a store need not checksum them, as a
  // snapshot checks its own digest. Errors: kNotFound, kIoError, kCorruption.
  virtual Result<std::string> ReadSnapshot(std::string_view name, uint64_t sequence) const = 0;
  // Deletes a snapshot; OK when there is none. Errors: kIoError.
  virtual Status DeleteSnapshot(std::string_view name, uint64_t sequence) = 0;
};

// The key under which the checkpoint is stored in each projection's key space.
inline constexpr std::string_view kCheckpointKey = "~checkpoint";

// Checkpoint <-> bytes. DecodeCheckpoint errors: kCorruption.
std::string EncodeCheckpoint(const Checkpoint& checkpoint);
Result<Checkpoint> DecodeCheckpoint(std::string_view bytes);

}  // namespace rotor::projections
