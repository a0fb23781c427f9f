// MerkleStore: the durable RFC 9162 tree over an EventLog's records
// (events/merkle.h), and the signed checkpoints of it, in a RocksDB
// directory of its own (docs/audit.md).
//
// The tree follows the log: CatchUp() reads the records after the tree's
// size and appends their leaves, writing the stored hashes they complete and
// the new size in one WriteBatch, so a crash leaves a consistent tree of some
// earlier size, and the next CatchUp() goes on from there. The tree is
// derived data: deleting the directory and catching up again gives the same
// hashes.
//
// Keys (default column family):
//   "t" u8(tile_level) BE64(tile)  -> the tile's stored hashes (merkle_tiles.h)
//   "size"                         -> BE64(tree size)
//   "n" u8(tile_level) BE64(tile)  -> a full tile's kept nodes (merkle_tiles.h)
//   "c" BE64(tree size)            -> a signed checkpoint (note text)
// Open() rewrites a store of the earlier one-key-per-hash layout as tiles.
//
// Proofs and roots read the stored hashes through a bounded cache of tiles
// (events/merkle_cache.h, `cache_bytes`); a tile that is not cached is read
// with its kept nodes, so a proof costs microseconds whatever the log's size.
//
// Thread safety: CatchUp() from one thread at a time; everything else is
// safe to call concurrently with it (readers see a consistent size).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "events/event_log.h"
#include "events/merkle.h"
#include "events/merkle_cache.h"

namespace rocksdb {
class DB;
}  // namespace rocksdb

namespace rotor {

struct MerkleStoreOptions {
  // Bytes of tiles kept in memory for proofs (a full tile is 16 KiB).
  size_t cache_bytes = size_t{64} << 20;
};

class MerkleStore {
 public:
  // Opens (creating if missing) the tree in directory `path`. Errors:
  // kIoError, kCorruption.
  static Result<std::unique_ptr<MerkleStore>> Open(const std::string& path,
                                                   const MerkleStoreOptions& options = {});
  ~MerkleStore();
  MerkleStore(const MerkleStore&) = delete;
  MerkleStore& operator=(const MerkleStore&) = delete;

  // Appends the leaves of the log's records after size() up to the log's
  // head (at most `max_leaves` of them). Returns the new size. Errors:
  // kFailedPrecondition when the tree is larger than the log (the log lost
  // records the tree holds), kCorruption, kIoError.
  Result<uint64_t> CatchUp(const EventLog& log, uint64_t max_leaves = UINT64_MAX)
      EXCLUDES(catch_up_mu_);

  // The number of leaves (records) in the tree.
  uint64_t size() const { return size_.load(std::memory_order_acquire); }

  // The root of the tree of the first `size` leaves. Errors:
  // kInvalidArgument when `size` > size(); kCorruption, kIoError.
  Result<Sha256Digest> Root(uint64_t size) const;
  // RFC 9162 audit paths (merkle.h), for trees no larger than size().
  // Errors: kInvalidArgument naming the bad size or index; kCorruption, kIoError.
  Result<std::vector<Sha256Digest>> InclusionProof(uint64_t index, uint64_t size) const;
  Result<std::vector<Sha256Digest>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

  // Stores a signed checkpoint of tree size `size` (replacing one of the
  // same size). Errors: kIoError.
  Status PutCheckpoint(uint64_t size, const std::string& note);
  // The checkpoint signed at `size`, or nullopt. Errors: kIoError.
  Result<std::optional<std::string>> Checkpoint(uint64_t size) const;
  // The checkpoint of the largest tree size, or nullopt when none was signed.
  Result<std::optional<std::pair<uint64_t, std::string>>> LatestCheckpoint() const;
  // The tree sizes of stored checkpoints from `from` on, at most `max`.
  Result<std::vector<uint64_t>> CheckpointSizes(uint64_t from, size_t max) const;
  // The tree sizes of the `max` latest stored checkpoints, largest first.
  // Errors: kIoError.
  Result<std::vector<uint64_t>> LatestCheckpointSizes(size_t max) const;

  // A reader of the stored hashes (valid while the store lives).
  merkle::TileHashReader Reader() const;
  // The tile cache, for its figures.
  const merkle::TileCache& cache() const { return cache_; }

 private:
  MerkleStore(std::unique_ptr<rocksdb::DB> db, const MerkleStoreOptions& options);
  // Complete-subtree hashes through the cache, for trees up to size().
  merkle::CompleteHashReader Nodes() const;
  Status ReadHashes(int tile_level, uint64_t index, uint64_t count,
                    std::vector<Sha256Digest>* out) const;
  Status CheckSize(uint64_t size) const;

  std::unique_ptr<rocksdb::DB> db_;
  const merkle::TileHashReader stored_;  // Reader()
  const merkle::TileNodesReader kept_;   // merkle_tiles::ReadNodes
  mutable merkle::TileCache cache_;
  std::atomic<uint64_t> size_{0};
  Mutex catch_up_mu_;  // one CatchUp at a time
  std::optional<merkle::TileBuilder> builder_ GUARDED_BY(catch_up_mu_);
};

// Recomputes the tree of the log's first `size` records from their bytes,
// without a store. Errors: kCorruption naming a sequence, kIoError.
Result<Sha256Digest> RebuildRoot(const EventLog& log, uint64_t size);

}  // namespace rotor
