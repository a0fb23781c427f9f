// MemoryTiles: an in-memory store of a Merkle tree's stored hashes
// (events/merkle.h), filled by TileBuilder as MerkleStore fills RocksDB, and
// counting the reads made through its reader. Test-only; not thread-safe.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "events/merkle.h"

namespace rotor::merkle {

class MemoryTiles {
 public:
  void Add(const Sha256Digest& leaf) {
    std::vector<TileBuilder::Completed> done;
    builder_.Add(leaf, &done);
    for (const auto& c : done) stored_[{c.tile_level, c.index}] = c.hash;
    leaves_.push_back(leaf);
  }
  // Reads stored hashes; each call counts one read.
  TileHashReader Reader() const {
    return [this](int level, uint64_t index, uint64_t count, std::vector<Sha256Digest>* out) {
      ++reads_;
      out->clear();
      for (uint64_t i = 0; i < count; ++i) {
        auto it = stored_.find({level, index + i});
        if (it == stored_.end()) return Status::NotFound("no stored hash");
        out->push_back(it->second);
      }
      return Status::Ok();
    };
  }
  const std::vector<Sha256Digest>& leaves() const { return leaves_; }
  uint64_t size() const { return leaves_.size(); }
  uint64_t reads() const { return reads_; }

 private:
  TileBuilder builder_;
  std::map<std::pair<int, uint64_t>, Sha256Digest> stored_;
  std::vector<Sha256Digest> leaves_;
  mutable uint64_t reads_ = 0;
};

}  // namespace rotor::merkle
