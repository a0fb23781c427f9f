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
    for (const auto& c : done) {
      stored_[{c.tile_level, c.index}] = c.hash;
      if (!c.kept.empty() && keep_nodes_) kept_[{c.tile_level - 1, c.index}] = c.kept;
    }
    leaves_.push_back(leaf);
  }
  // Whether tiles completed from now on keep their nodes (as a store written
  // before they were kept does not).
  void KeepNodes(bool keep) { keep_nodes_ = keep; }
  // Reads kept nodes; each call counts one read.
  TileNodesReader NodesReader() const {
    return [this](int level, uint64_t tile, std::vector<Sha256Digest>* out) {
      ++node_reads_;
      auto it = kept_.find({level, tile});
      if (it == kept_.end()) return Status::NotFound("no kept nodes");
      *out = it->second;
      return Status::Ok();
    };
  }
  uint64_t node_reads() const { return node_reads_; }
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
  std::map<std::pair<int, uint64_t>, std::vector<Sha256Digest>> kept_;
  bool keep_nodes_ = true;
  std::vector<Sha256Digest> leaves_;
  mutable uint64_t reads_ = 0;
  mutable uint64_t node_reads_ = 0;
};

}  // namespace rotor::merkle
