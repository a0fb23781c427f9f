// TileCache: a bounded, thread-safe cache of a Merkle tree's tiles
// (events/merkle.h, C2SP tlog-tiles), each holding every node hash inside
// it, so that a proof costs lookups instead of storage reads and hashing.
//
// A tile of tile level L and index t holds the stored hashes [256 t,
// 256 t + w) of tile level L (w <= 256, its width) and the hashes of the
// complete subtrees above them up to height 7 within the tile: 510 hashes
// (16 KiB) for a full tile. Stored hashes never change once written, so a
// cached tile is never stale: a full tile is final, and a partial tile on
// the right edge is a correct prefix that is extended (by reading only the
// new stored hashes) when a proof needs more of it.
//
// With a TileNodesReader, a full tile that is not cached is read with its
// kept nodes (merkle.h, kKeptHeight) instead of being hashed whole: its
// nodes below kKeptHeight are then hashed when asked for (at most 7 hashes
// each), so a proof from a cold tile costs two reads and about a dozen
// hashes, and the tile holds 286 hashes (9 KiB) instead of 510.
//
// Memory: at most `max_bytes` of hashes (plus about 100 bytes of
// bookkeeping per tile); the least recently used tiles are dropped first.
// With 0 nothing is kept and every lookup reads its tile.
//
// Thread safety: all methods may be called concurrently. Storage is read
// without the lock held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <utility>

#include "base/mutex.h"
#include "events/merkle.h"

namespace rotor::merkle {

class TileCache {
 public:
  explicit TileCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  TileCache(const TileCache&) = delete;
  TileCache& operator=(const TileCache&) = delete;

  // The hash of the complete subtree of height `level` whose index at that
  // height is `index`, in a tree whose stored hashes `read` supplies and
  // which holds `tree_size` leaves (the subtree must lie within them).
  // Errors: kInvalidArgument when the subtree is not complete in
  // `tree_size` leaves; those of `read`; kCorruption on a short read.
  // `nodes` (may be null) supplies kept nodes. Errors: kInvalidArgument
  // when the subtree is not complete in `tree_size` leaves; those of `read`
  // and `nodes` (but kNotFound from `nodes`: the tile is then hashed whole);
  // kCorruption on a short read.
  Result<Sha256Digest> CompleteHash(const TileHashReader& read, const TileNodesReader* nodes,
                                    uint64_t tree_size, int level, uint64_t index) EXCLUDES(mu_);

  // A CompleteHashReader over this cache for a tree of `tree_size` leaves
  // (valid while the cache, `read` and `nodes` live; `nodes` may be null).
  CompleteHashReader Reader(const TileHashReader& read, uint64_t tree_size,
                            const TileNodesReader* nodes = nullptr);

  // Bytes of hashes held, tiles held, and lookups that needed no read.
  size_t bytes() const EXCLUDES(mu_);
  size_t tiles() const EXCLUDES(mu_);
  uint64_t hits() const EXCLUDES(mu_);
  uint64_t misses() const EXCLUDES(mu_);

 private:
  struct Tile;
  using Key = uint64_t;  // tile level << 56 | tile index
  struct Entry {
    std::shared_ptr<const Tile> tile;
    std::list<Key>::iterator lru;  // position in lru_
  };

  // The tile, cached or read, with at least `width` stored hashes.
  Result<std::shared_ptr<const Tile>> Get(const TileHashReader& read, const TileNodesReader* nodes,
                                          uint64_t tree_size, int tile_level, uint64_t tile_index,
                                          uint64_t width) EXCLUDES(mu_);
  void Insert(Key key, std::shared_ptr<const Tile> tile) EXCLUDES(mu_);

  const size_t max_bytes_;
  mutable Mutex mu_;
  std::unordered_map<Key, Entry> tiles_ GUARDED_BY(mu_);
  std::list<Key> lru_ GUARDED_BY(mu_);  // most recently used first
  size_t bytes_ GUARDED_BY(mu_) = 0;
  uint64_t hits_ GUARDED_BY(mu_) = 0;
  uint64_t misses_ GUARDED_BY(mu_) = 0;
};

}  // namespace rotor::merkle
