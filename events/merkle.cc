#include "events/merkle.h"

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstring>

namespace rotor::merkle {
namespace {

// The largest power of two strictly below `n` (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

// Hashes `hashes` (a power of two of them) pairwise up to one root; with
// `kept`, appends to it the nodes of heights kKeptHeight and up below the
// root, lowest height first.
Sha256Digest HashUp(std::vector<Sha256Digest> hashes, std::vector<Sha256Digest>* kept = nullptr) {
  assert(IsPowerOfTwo(hashes.size()));
  int height = 0;
  for (size_t n = hashes.size(); n > 1; n /= 2) {
    for (size_t i = 0; i < n / 2; ++i) hashes[i] = NodeHash(hashes[2 * i], hashes[2 * i + 1]);
    if (kept != nullptr && ++height >= kKeptHeight && n > 2) {
      kept->insert(kept->end(), hashes.begin(),
                   hashes.begin() + static_cast<std::ptrdiff_t>(n / 2));
    }
  }
  return hashes[0];
}

// The hash of the complete subtree of height `level` whose index at that
// level is `index`: stored when `level` is a tile level, else computed from
// the 2^(level % 8) stored hashes below it.
Result<Sha256Digest> CompleteHash(const TileHashReader& read, int level, uint64_t index) {
  int tile_level = level / kTileHeight;
  int height = level % kTileHeight;
  std::vector<Sha256Digest> hashes;
  ROTOR_RETURN_IF_ERROR(read(tile_level, index << height, uint64_t{1} << height, &hashes));
  if (hashes.size() != (size_t{1} << height)) {
    return Status::Corruption("merkle tree: short read at tile level " +
                              std::to_string(tile_level));
  }
  return HashUp(std::move(hashes));
}

Status PathInto(const CompleteHashReader& read, uint64_t index, uint64_t start, uint64_t width,
                std::vector<Sha256Digest>* out) {
  if (width == 1) return Status::Ok();
  uint64_t k = SplitPoint(width);
  if (index < k) {
    ROTOR_RETURN_IF_ERROR(PathInto(read, index, start, k, out));
    Result<Sha256Digest> right = SubtreeHash(read, start + k, start + width);
    if (!right.ok()) return right.status();
    out->push_back(*right);
  } else {
    ROTOR_RETURN_IF_ERROR(PathInto(read, index - k, start + k, width - k, out));
    Result<Sha256Digest> left = SubtreeHash(read, start, start + k);
    if (!left.ok()) return left.status();
    out->push_back(*left);
  }
  return Status::Ok();
}

Status SubproofInto(const CompleteHashReader& read, uint64_t m, uint64_t start, uint64_t width,
                    bool whole, std::vector<Sha256Digest>* out) {
  if (m == width) {
    if (whole) return Status::Ok();
    Result<Sha256Digest> h = SubtreeHash(read, start, start + width);
    if (!h.ok()) return h.status();
    out->push_back(*h);
    return Status::Ok();
  }
  uint64_t k = SplitPoint(width);
  if (m <= k) {
    ROTOR_RETURN_IF_ERROR(SubproofInto(read, m, start, k, whole, out));
    Result<Sha256Digest> right = SubtreeHash(read, start + k, start + width);
    if (!right.ok()) return right.status();
    out->push_back(*right);
  } else {
    ROTOR_RETURN_IF_ERROR(SubproofInto(read, m - k, start + k, width - k, false, out));
    Result<Sha256Digest> left = SubtreeHash(read, start, start + k);
    if (!left.ok()) return left.status();
    out->push_back(*left);
  }
  return Status::Ok();
}

std::string_view View(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace

Sha256Digest LeafHash(std::string_view data) { return Sha256(std::string_view("\x00", 1), data); }

Sha256Digest NodeHash(const Sha256Digest& left, const Sha256Digest& right) {
  std::array<char, 33> prefixed{};
  prefixed[0] = 0x01;
  std::memcpy(prefixed.data() + 1, left.data(), left.size());
  return Sha256(std::string_view(prefixed.data(), prefixed.size()), View(right));
}

CompleteHashReader FromStoredHashes(const TileHashReader& read) {
  return [&read](int level, uint64_t index) { return CompleteHash(read, level, index); };
}

Result<Sha256Digest> SubtreeHash(const CompleteHashReader& read, uint64_t start, uint64_t end) {
  assert(end > start);
  uint64_t width = end - start;
  if (IsPowerOfTwo(width) && start % width == 0) {
    return read(std::countr_zero(width), start / width);
  }
  uint64_t k = SplitPoint(width);
  Result<Sha256Digest> left = SubtreeHash(read, start, start + k);
  if (!left.ok()) return left.status();
  Result<Sha256Digest> right = SubtreeHash(read, start + k, end);
  if (!right.ok()) return right.status();
  return NodeHash(*left, *right);
}

Result<Sha256Digest> SubtreeHash(const TileHashReader& read, uint64_t start, uint64_t end) {
  return SubtreeHash(FromStoredHashes(read), start, end);
}

Result<Sha256Digest> RootHash(const CompleteHashReader& read, uint64_t size) {
  if (size == 0) return Sha256({});
  return SubtreeHash(read, 0, size);
}

Result<Sha256Digest> RootHash(const TileHashReader& read, uint64_t size) {
  return RootHash(FromStoredHashes(read), size);
}

Result<std::vector<Sha256Digest>> InclusionProof(const CompleteHashReader& read, uint64_t index,
                                                 uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not in a tree of size " + std::to_string(size));
  }
  std::vector<Sha256Digest> proof;
  ROTOR_RETURN_IF_ERROR(PathInto(read, index, 0, size, &proof));
  return proof;
}

Result<std::vector<Sha256Digest>> InclusionProof(const TileHashReader& read, uint64_t index,
                                                 uint64_t size) {
  return InclusionProof(FromStoredHashes(read), index, size);
}

Result<std::vector<Sha256Digest>> ConsistencyProof(const CompleteHashReader& read,
                                                   uint64_t old_size, uint64_t new_size) {
  if (old_size > new_size) {
    return Status::InvalidArgument("tree size " + std::to_string(old_size) +
                                   " is larger than tree size " + std::to_string(new_size));
  }
  std::vector<Sha256Digest> proof;
  if (old_size == 0 || old_size == new_size) return proof;
  ROTOR_RETURN_IF_ERROR(SubproofInto(read, old_size, 0, new_size, true, &proof));
  return proof;
}

Result<std::vector<Sha256Digest>> ConsistencyProof(const TileHashReader& read, uint64_t old_size,
                                                   uint64_t new_size) {
  return ConsistencyProof(FromStoredHashes(read), old_size, new_size);
}

Status VerifyInclusion(const Sha256Digest& leaf_hash, uint64_t index, uint64_t size,
                       const std::vector<Sha256Digest>& proof, const Sha256Digest& root) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not in a tree of size " + std::to_string(size));
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Sha256Digest r = leaf_hash;
  for (const Sha256Digest& p : proof) {
    if (sn == 0) return Status::InvalidArgument("inclusion proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("inclusion proof is too short");
  if (r != root) {
    return Status::FailedPrecondition("inclusion proof of leaf " + std::to_string(index) +
                                      " does not lead to the root of tree size " +
                                      std::to_string(size));
  }
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Sha256Digest& old_root,
                         const Sha256Digest& new_root, const std::vector<Sha256Digest>& proof) {
  if (old_size > new_size) {
    return Status::InvalidArgument("tree size " + std::to_string(old_size) +
                                   " is larger than tree size " + std::to_string(new_size));
  }
  if (old_size == new_size || old_size == 0) {
    if (!proof.empty()) return Status::InvalidArgument("consistency proof should be empty");
    if (old_size == new_size && old_root != new_root) {
      return Status::FailedPrecondition("two different roots for tree size " +
                                        std::to_string(old_size));
    }
    return Status::Ok();
  }
  if (proof.empty()) return Status::InvalidArgument("consistency proof is empty");
  std::vector<Sha256Digest> path;
  if (IsPowerOfTwo(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Sha256Digest fr = path[0];
  Sha256Digest sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Sha256Digest& c = path[i];
    if (sn == 0) return Status::InvalidArgument("consistency proof is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::InvalidArgument("consistency proof is too short");
  if (fr != old_root) {
    return Status::FailedPrecondition("consistency proof does not match the root of tree size " +
                                      std::to_string(old_size));
  }
  if (sr != new_root) {
    return Status::FailedPrecondition("consistency proof does not match the root of tree size " +
                                      std::to_string(new_size));
  }
  return Status::Ok();
}

Result<TileBuilder> TileBuilder::Resume(const TileHashReader& read, uint64_t size) {
  TileBuilder b;
  b.size_ = size;
  for (int level = 0; (size >> (kTileHeight * level)) > 0; ++level) {
    uint64_t complete = size >> (kTileHeight * level);
    uint64_t pending = complete % kTileWidth;
    b.pending_.emplace_back();
    if (pending == 0) continue;
    ROTOR_RETURN_IF_ERROR(read(level, complete - pending, pending, &b.pending_.back()));
    if (b.pending_.back().size() != pending) {
      return Status::Corruption("merkle tree: short read at tile level " + std::to_string(level));
    }
  }
  return b;
}

void TileBuilder::Add(const Sha256Digest& leaf_hash, std::vector<Completed>* out) {
  if (pending_.empty()) pending_.emplace_back();
  pending_[0].push_back(leaf_hash);
  out->push_back({0, size_, leaf_hash, {}});
  ++size_;
  for (size_t level = 0; pending_[level].size() == kTileWidth; ++level) {
    std::vector<Sha256Digest> kept;
    kept.reserve(kKeptNodes);
    Sha256Digest parent = HashUp(std::move(pending_[level]), &kept);
    pending_[level].clear();
    if (pending_.size() == level + 1) pending_.emplace_back();
    pending_[level + 1].push_back(parent);
    uint64_t index = (size_ >> (kTileHeight * (level + 1))) - 1;
    out->push_back({static_cast<int>(level + 1), index, parent, std::move(kept)});
  }
}

const std::vector<Sha256Digest>& TileBuilder::pending(int tile_level) const {
  static const std::vector<Sha256Digest> kNone;
  return static_cast<size_t>(tile_level) < pending_.size() ? pending_[tile_level] : kNone;
}

void CompactRange::Add(const Sha256Digest& leaf_hash) {
  Sha256Digest h = leaf_hash;
  // Merge with every complete subtree of equal size: one per trailing one bit.
  for (uint64_t n = size_; (n & 1) != 0; n >>= 1) {
    h = NodeHash(hashes_.back(), h);
    hashes_.pop_back();
  }
  hashes_.push_back(h);
  ++size_;
}

Sha256Digest CompactRange::Root() const {
  if (hashes_.empty()) return Sha256({});
  Sha256Digest r = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) r = NodeHash(hashes_[i], r);
  return r;
}

}  // namespace rotor::merkle
