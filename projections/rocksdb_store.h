// RocksDbProjectionStore: the product's projection store, an embedded RocksDB
// in its own directory (never the event log's). Each projection has its own
// column family named after it; its checkpoint is the key "~checkpoint" in
// that family, written in the same WriteBatch as the state (docs/projections.md).
// Snapshots live in the family "~snapshots", cut into chunks of 1 MiB, each
// written as one ingested table file (docs/storage.md).
//
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "projections/store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace rotor::projections {

// The column family of the snapshots (no projection's name starts with '~').
inline constexpr std::string_view kSnapshotFamily = "~snapshots";
// The files a snapshot is written to before RocksDB ingests them, in the
// store's directory; one that a crash left behind is removed at the next Open.
inline constexpr std::string_view kSnapshotIngestPrefix = "snapshot-ingest-";

struct RocksDbProjectionStoreOptions {
  // fsync each commit. Off only where losing the last commits is harmless
  // (the projection then resumes from an older checkpoint, still consistent).
  bool sync = true;
  // The RocksDB Env to open the store with; nullptr: the default (the real
  // disk). Not owned; must outlive the store. Tests inject a file system that
  // simulates power loss (tests/testing/power_loss_fs.h).
  rocksdb::Env* env = nullptr;
};

class RocksDbProjectionStore final : public ProjectionStore {
 public:
  // Opens (creating if missing) the store in directory `path`. Errors:
  // kIoError (cannot open, locked by another process).
  static Result<std::unique_ptr<RocksDbProjectionStore>> Open(
      const std::string& path, RocksDbProjectionStoreOptions options = {});
  ~RocksDbProjectionStore() override;

  Result<std::unique_ptr<StoreBatch>> NewBatch(std::string_view name) override;
  Status Commit(StoreBatch& batch, const Checkpoint& checkpoint) override;
  Result<Checkpoint> ReadCheckpoint(std::string_view name) const override;
  Result<std::unique_ptr<KvReader>> NewReader(std::string_view name) const override;
  Status PutSnapshot(std::string_view name, uint64_t sequence, std::string_view bytes) override;
  Result<std::vector<uint64_t>> ListSnapshots(std::string_view name) const override;
  Result<std::string> ReadSnapshot(std::string_view name, uint64_t sequence) const override;
  Status DeleteSnapshot(std::string_view name, uint64_t sequence) override;

 private:
  explicit RocksDbProjectionStore(RocksDbProjectionStoreOptions options);
  // The column family of `name`, created when missing. Errors: kIoError.
  Result<rocksdb::ColumnFamilyHandle*> Family(std::string_view name) EXCLUDES(mu_);
  // nullptr when the family does not exist.
  rocksdb::ColumnFamilyHandle* FindFamily(std::string_view name) const EXCLUDES(mu_);

  RocksDbProjectionStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  mutable Mutex mu_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families_ GUARDED_BY(mu_);
};

}  // namespace rotor::projections
