// MemoryProjectionStore: a ProjectionStore held in memory, for fast tests of
// the runner and of persistence round trips. Same atomicity as the RocksDB
// store (a batch and its checkpoint apply together); nothing survives the
// process. Thread-safe: one mutex guards the maps.
#pragma once

#include <map>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "projections/store.h"

namespace rotor::projections {

class MemoryProjectionStore final : public ProjectionStore {
 public:
  Result<std::unique_ptr<StoreBatch>> NewBatch(std::string_view name) override;
  Status Commit(StoreBatch& batch, const Checkpoint& checkpoint) override EXCLUDES(mu_);
  Result<Checkpoint> ReadCheckpoint(std::string_view name) const override EXCLUDES(mu_);
  Result<std::unique_ptr<KvReader>> NewReader(std::string_view name) const override EXCLUDES(mu_);
  Status PutSnapshot(std::string_view name, uint64_t sequence, std::string_view bytes) override
      EXCLUDES(mu_);
  Result<std::vector<uint64_t>> ListSnapshots(std::string_view name) const override EXCLUDES(mu_);
  Result<std::string> ReadSnapshot(std::string_view name, uint64_t sequence) const override
      EXCLUDES(mu_);
  Status DeleteSnapshot(std::string_view name, uint64_t sequence) override EXCLUDES(mu_);
  // The stored bytes of a snapshot, to damage in tests; nullptr when none.
  std::string* MutableSnapshot(std::string_view name, uint64_t sequence) EXCLUDES(mu_);

  // Number of keys stored for `name` (checkpoint included).
  size_t KeyCount(std::string_view name) const EXCLUDES(mu_);

 private:
  using KeySpace = std::map<std::string, std::string, std::less<>>;
  mutable Mutex mu_;
  std::map<std::string, KeySpace, std::less<>> spaces_ GUARDED_BY(mu_);
  std::map<std::pair<std::string, uint64_t>, std::string> snapshots_ GUARDED_BY(mu_);
};

}  // namespace rotor::projections
