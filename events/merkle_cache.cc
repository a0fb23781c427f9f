#include "events/merkle_cache.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace rotor::merkle {

// nodes[h][j]: the hash of the complete subtree of height h (within the tile)
// whose index among the tile's height-h nodes is j. nodes[0] are the stored
// hashes; the tile's width is nodes[0].size(). A tile read with its kept
// nodes holds no nodes of heights 1 .. kKeptHeight - 1 (`kept`).
struct TileCache::Tile {
  std::array<std::vector<Sha256Digest>, kTileHeight> nodes;
  bool kept = false;

  uint64_t Width() const { return nodes[0].size(); }
  size_t Bytes() const {
    size_t n = 0;
    for (const auto& level : nodes) n += level.size() * sizeof(Sha256Digest);
    return n;
  }
  // The node of height `h` and index `j`.
  Sha256Digest Node(int h, uint64_t j) const {
    if (!kept || h == 0 || h >= kKeptHeight) return nodes[h][j];
    // Below the kept heights: hashed from the 2^h stored hashes under it.
    std::vector<Sha256Digest> level(nodes[0].begin() + static_cast<std::ptrdiff_t>(j << h),
                                    nodes[0].begin() + static_cast<std::ptrdiff_t>((j + 1) << h));
    for (size_t n = level.size(); n > 1; n /= 2) {
      for (size_t i = 0; i < n / 2; ++i) level[i] = NodeHash(level[2 * i], level[2 * i + 1]);
    }
    return level[0];
  }
  // A full tile from its stored hashes and kept nodes (kKeptNodes of them).
  static std::shared_ptr<Tile> FromKept(const std::vector<Sha256Digest>& stored,
                                        const std::vector<Sha256Digest>& kept_nodes) {
    auto tile = std::make_shared<Tile>();
    tile->nodes[0] = stored;
    tile->kept = true;
    auto next = kept_nodes.begin();
    for (int h = kKeptHeight; h < kTileHeight; ++h) {
      const auto count = static_cast<std::ptrdiff_t>(kTileWidth >> h);
      tile->nodes[h].assign(next, next + count);
      next += count;
    }
    return tile;
  }
  // Appends stored hashes and the complete nodes they make.
  void Extend(const std::vector<Sha256Digest>& stored) {
    nodes[0].insert(nodes[0].end(), stored.begin(), stored.end());
    for (size_t h = 1; h < nodes.size(); ++h) {
      std::vector<Sha256Digest>& below = nodes[h - 1];
      for (size_t j = nodes[h].size(); 2 * j + 1 < below.size(); ++j) {
        nodes[h].push_back(NodeHash(below[2 * j], below[2 * j + 1]));
      }
    }
  }
};

Result<Sha256Digest> TileCache::CompleteHash(const TileHashReader& read,
                                             const TileNodesReader* nodes, uint64_t tree_size,
                                             int level, uint64_t index) {
  const int tile_level = level / kTileHeight;
  const int height = level % kTileHeight;
  const uint64_t per_tile = kTileWidth >> height;  // height-h nodes in a tile
  const uint64_t tile_index = index / per_tile;
  const uint64_t j = index % per_tile;
  const uint64_t width = (j + 1) << height;  // stored hashes the node needs
  // Complete subtrees of height `level` in the tree: the node must be one.
  if ((index >> (63 - level)) != 0 || ((index + 1) << level) > tree_size) {
    return Status::InvalidArgument("merkle tree: no complete subtree " + std::to_string(index) +
                                   " of height " + std::to_string(level) + " in a tree of " +
                                   std::to_string(tree_size) + " leaves");
  }
  Result<std::shared_ptr<const Tile>> tile =
      Get(read, nodes, tree_size, tile_level, tile_index, width);
  if (!tile.ok()) return tile.status();
  return (*tile)->Node(height, j);
}

Result<std::shared_ptr<const TileCache::Tile>> TileCache::Get(const TileHashReader& read,
                                                              const TileNodesReader* nodes,
                                                              uint64_t tree_size, int tile_level,
                                                              uint64_t tile_index, uint64_t width) {
  const Key key = (static_cast<uint64_t>(tile_level) << 56) | tile_index;
  std::shared_ptr<const Tile> cached;
  {
    MutexLock lock(&mu_);
    auto it = tiles_.find(key);
    if (it != tiles_.end()) {
      cached = it->second.tile;
      if (cached->Width() >= width) {
        ++hits_;
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return cached;
      }
    }
    ++misses_;
  }
  // Every stored hash of the tile that the tree holds: a later lookup on
  // the right edge then needs no read until the tree grows.
  const uint64_t stored = tree_size >> (kTileHeight * tile_level);
  const uint64_t first = tile_index * kTileWidth;
  const uint64_t available = std::min<uint64_t>(kTileWidth, stored - first);
  const uint64_t have = cached != nullptr ? cached->Width() : 0;
  std::vector<Sha256Digest> more;
  ROTOR_RETURN_IF_ERROR(read(tile_level, first + have, available - have, &more));
  if (more.size() != available - have) {
    return Status::Corruption("merkle tree: short read at tile level " +
                              std::to_string(tile_level));
  }
  std::shared_ptr<Tile> tile;
  if (nodes != nullptr && have == 0 && available == kTileWidth) {
    std::vector<Sha256Digest> kept;
    Status s = (*nodes)(tile_level, tile_index, &kept);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    if (s.ok() && kept.size() != kKeptNodes) {
      return Status::Corruption("merkle tree: tile " + std::to_string(tile_index) +
                                " at tile level " + std::to_string(tile_level) + " keeps " +
                                std::to_string(kept.size()) + " nodes");
    }
    if (s.ok()) tile = Tile::FromKept(more, kept);
  }
  if (tile == nullptr) {
    tile = std::make_shared<Tile>(cached != nullptr ? *cached : Tile{});
    tile->Extend(more);
  }
  Insert(key, tile);
  return std::shared_ptr<const Tile>(std::move(tile));
}

void TileCache::Insert(Key key, std::shared_ptr<const Tile> tile) {
  MutexLock lock(&mu_);
  auto it = tiles_.find(key);
  if (it != tiles_.end()) {
    // Another thread may have read a wider one meanwhile: keep the wider.
    if (it->second.tile->Width() >= tile->Width()) return;
    bytes_ -= it->second.tile->Bytes();
    lru_.erase(it->second.lru);
    tiles_.erase(it);
  }
  if (tile->Bytes() > max_bytes_) return;
  bytes_ += tile->Bytes();
  lru_.push_front(key);
  tiles_.emplace(key, Entry{std::move(tile), lru_.begin()});
  while (bytes_ > max_bytes_) {
    auto victim = tiles_.find(lru_.back());
    bytes_ -= victim->second.tile->Bytes();
    tiles_.erase(victim);
    lru_.pop_back();
  }
}

CompleteHashReader TileCache::Reader(const TileHashReader& read, uint64_t tree_size,
                                     const TileNodesReader* nodes) {
  return [this, &read, nodes, tree_size](int level, uint64_t index) {
    return CompleteHash(read, nodes, tree_size, level, index);
  };
}

size_t TileCache::bytes() const {
  MutexLock lock(&mu_);
  return bytes_;
}

size_t TileCache::tiles() const {
  MutexLock lock(&mu_);
  return tiles_.size();
}

uint64_t TileCache::hits() const {
  MutexLock lock(&mu_);
  return hits_;
}

uint64_t TileCache::misses() const {
  MutexLock lock(&mu_);
  return misses_;
}

}  // namespace rotor::merkle
