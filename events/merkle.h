// RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, audit paths
// and their verification, over hashes kept elsewhere.
//
// The tree's leaves are the log's records in sequence order: leaf i (0-based)
// is the record with sequence i + 1, and its leaf data is the record's
// canonical bytes (events/record.h: the EventEnvelope without `hash`, which
// includes prev_hash). Leaf hash = SHA-256(0x00 || data); an interior node is
// SHA-256(0x01 || left || right) (RFC 9162, section 2.1.1).
//
// Storage follows C2SP tlog-tiles: only the hashes of complete subtrees at
// levels 0, 8, 16, ... ("tile levels") are stored; every other hash is
// computed from at most 256 stored hashes of the tile level below it. A
// `TileHashReader` supplies stored hashes; the functions here are pure and
// thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/status.h"

namespace rotor::merkle {

// Hashes per tile edge: a tile level spans 8 tree levels (C2SP tlog-tiles).
inline constexpr int kTileHeight = 8;
inline constexpr uint64_t kTileWidth = uint64_t{1} << kTileHeight;

// Beside each full tile, MerkleStore keeps the hashes of the complete
// subtrees of heights kKeptHeight .. kTileHeight - 1 inside it (16 + 8 + 4 +
// 2 = 30), lowest height first and left to right within a height, so that a
// proof from a tile that is not cached hashes at most a few nodes instead of
// the tile's 255. They are derived data, like the stored hashes.
inline constexpr int kKeptHeight = 4;
inline constexpr size_t kKeptNodes = (kTileWidth >> (kKeptHeight - 1)) - 2;

// SHA-256(0x00 || data).
Sha256Digest LeafHash(std::string_view data);
// SHA-256(0x01 || left || right).
Sha256Digest NodeHash(const Sha256Digest& left, const Sha256Digest& right);

// Reads `count` consecutive stored hashes of tile level `tile_level` from
// `index` into `out` (replacing its contents). Stored hash `index` of tile
// level L is the hash of the complete subtree of height 8 * L whose leftmost
// leaf is index << (8 * L). Errors: kNotFound when one is not stored,
// kCorruption, kIoError.
using TileHashReader = std::function<Status(int tile_level, uint64_t index, uint64_t count,
                                            std::vector<Sha256Digest>* out)>;

// Reads the kept node hashes (kKeptHeight above) of the full tile `tile` of
// tile level `tile_level` into `out` (replacing its contents). Errors:
// kNotFound when none are kept for it (trees written before they were),
// kCorruption, kIoError.
using TileNodesReader =
    std::function<Status(int tile_level, uint64_t tile, std::vector<Sha256Digest>* out)>;

// Supplies the hash of the complete subtree of height `level` (0: a leaf)
// whose index at that height is `index` (its leftmost leaf is
// index << level). Errors: kNotFound, kCorruption, kIoError.
using CompleteHashReader = std::function<Result<Sha256Digest>(int level, uint64_t index)>;

// A CompleteHashReader that computes each hash from the (at most 128)
// stored hashes below it that `read` supplies, without caching
// (merkle_cache.h caches). `read` must outlive it.
CompleteHashReader FromStoredHashes(const TileHashReader& read);

// The functions below come in two forms: over stored hashes (`read`) and
// over complete-subtree hashes (`nodes`, e.g. a TileCache); the answers are
// the same.

// The hash of leaves [start, end) (end > start) of a tree that holds at least
// `end` leaves, computed RFC 9162's way (split at the largest power of two
// below the width). Errors: those of `read`.
Result<Sha256Digest> SubtreeHash(const CompleteHashReader& nodes, uint64_t start, uint64_t end);
Result<Sha256Digest> SubtreeHash(const TileHashReader& read, uint64_t start, uint64_t end);

// The root of the tree of the first `size` leaves; the empty tree's root is
// SHA-256 of nothing. Errors: those of `read`.
Result<Sha256Digest> RootHash(const CompleteHashReader& nodes, uint64_t size);
Result<Sha256Digest> RootHash(const TileHashReader& read, uint64_t size);

// The inclusion proof (audit path) of leaf `index` in the tree of `size`
// leaves, RFC 9162 section 2.1.3.1. Errors: kInvalidArgument when
// index >= size; those of `read`.
Result<std::vector<Sha256Digest>> InclusionProof(const CompleteHashReader& nodes, uint64_t index,
                                                 uint64_t size);
Result<std::vector<Sha256Digest>> InclusionProof(const TileHashReader& read, uint64_t index,
                                                 uint64_t size);

// The consistency proof between the trees of `old_size` and `new_size`
// leaves, RFC 9162 section 2.1.4.1 (empty when the sizes are equal or
// old_size is 0). Errors: kInvalidArgument when old_size > new_size; those
// of `read`.
Result<std::vector<Sha256Digest>> ConsistencyProof(const CompleteHashReader& nodes,
                                                   uint64_t old_size, uint64_t new_size);
Result<std::vector<Sha256Digest>> ConsistencyProof(const TileHashReader& read, uint64_t old_size,
                                                   uint64_t new_size);

// RFC 9162 section 2.1.3.2. Errors: kInvalidArgument (index >= size, a path
// of the wrong length) or kFailedPrecondition naming the mismatch.
Status VerifyInclusion(const Sha256Digest& leaf_hash, uint64_t index, uint64_t size,
                       const std::vector<Sha256Digest>& proof, const Sha256Digest& root);

// RFC 9162 section 2.1.4.2. Errors: kInvalidArgument (sizes, a path of the
// wrong length) or kFailedPrecondition when the roots are not consistent.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Sha256Digest& old_root,
                         const Sha256Digest& new_root, const std::vector<Sha256Digest>& proof);

// Keeps the right edge of a growing tree in memory and yields the stored
// hashes that each new leaf completes: after leaf n, the stored hash of every
// tile level whose subtree ends at n. The caller persists them. Value type.
class TileBuilder {
 public:
  struct Completed {
    int tile_level;
    uint64_t index;
    Sha256Digest hash;
    // At tile level >= 1: the kept nodes (kKeptHeight) of the tile below
    // whose root `hash` is, tile `index` of tile level `tile_level` - 1.
    std::vector<Sha256Digest> kept;
  };

  // A builder for a tree that already holds `size` leaves; `read` supplies
  // the stored hashes of its incomplete tiles. Errors: those of `read`.
  static Result<TileBuilder> Resume(const TileHashReader& read, uint64_t size);

  // Adds the next leaf (its leaf hash) and appends what it completes to `out`.
  void Add(const Sha256Digest& leaf_hash, std::vector<Completed>* out);
  uint64_t size() const { return size_; }
  // The stored hashes of tile level `tile_level` in its incomplete (right
  // edge) tile, in index order; empty when there are none.
  const std::vector<Sha256Digest>& pending(int tile_level) const;

 private:
  uint64_t size_ = 0;
  // pending_[L]: the stored hashes of tile level L whose tile-level-(L+1)
  // parent is not complete yet (at most 255).
  std::vector<std::vector<Sha256Digest>> pending_;
};

// The right edge of a tree as its complete subtrees, largest first (a
// "compact range"): enough to compute the root while streaming the leaves,
// as `rotorctl verify` rebuilds a tree from a log without storing it. Value
// type.
class CompactRange {
 public:
  void Add(const Sha256Digest& leaf_hash);
  // The root of the leaves added so far (SHA-256 of nothing when none).
  Sha256Digest Root() const;
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
  std::vector<Sha256Digest> hashes_;  // one per set bit of size_, largest first
};

}  // namespace rotor::merkle
