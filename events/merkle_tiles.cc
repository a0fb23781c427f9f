#include "events/merkle_tiles.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/coding.h"
#include "events/record.h"
#include "events/rocksdb_keys.h"

namespace rotor::merkle_tiles {
namespace {

using merkle::kTileWidth;
using rocksdb_keys::FromRocks;

constexpr size_t kMaxTileBytes = kTileWidth * kHashSize;
// Hash keys of earlier versions: "h" u8(tile level) BE64(index).
constexpr char kHashKeyPrefix[] = "h";
constexpr size_t kHashKeySize = 10;
// Tiles written per WriteBatch while migrating.
constexpr int kMigrateBatch = 1024;

std::string_view Bytes(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

Status Missing(int tile_level, uint64_t index) {
  return Status::NotFound("merkle tree: no stored hash " + std::to_string(index) +
                          " at tile level " + std::to_string(tile_level));
}

}  // namespace

std::string TileKey(int tile_level, uint64_t tile_index) {
  std::string key = "t";
  key.push_back(static_cast<char>(tile_level));
  PutBigEndian64(&key, tile_index);
  return key;
}

std::string NodesKey(int tile_level, uint64_t tile_index) {
  std::string key = "n";
  key.push_back(static_cast<char>(tile_level));
  PutBigEndian64(&key, tile_index);
  return key;
}

Status ReadNodes(rocksdb::DB& db, int tile_level, uint64_t tile_index,
                 std::vector<Sha256Digest>* out) {
  out->clear();
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), db.DefaultColumnFamily(),
                             NodesKey(tile_level, tile_index), &value);
  if (s.IsNotFound()) {
    return Status::NotFound("merkle tree: no kept nodes of tile " + std::to_string(tile_index) +
                            " at tile level " + std::to_string(tile_level));
  }
  if (!s.ok()) return FromRocks(s, "reading merkle tree");
  if (value.size() != merkle::kKeptNodes * kHashSize) {
    return Status::Corruption("merkle tree: the kept nodes of tile " + std::to_string(tile_index) +
                              " at tile level " + std::to_string(tile_level) + " are " +
                              std::to_string(value.size()) + " bytes");
  }
  out->resize(merkle::kKeptNodes);
  std::memcpy(out->data(), value.data(), value.size());
  return Status::Ok();
}

Status ReadHashes(rocksdb::DB& db, int tile_level, uint64_t index, uint64_t count,
                  std::vector<Sha256Digest>* out) {
  out->clear();
  if (count == 0) return Status::Ok();
  out->reserve(count);
  const uint64_t end = index + count;
  rocksdb::PinnableSlice value;
  for (uint64_t tile = index / kTileWidth; tile * kTileWidth < end; ++tile) {
    const uint64_t first = tile * kTileWidth;
    const uint64_t from = std::max(index, first);
    const uint64_t to = std::min(end, first + kTileWidth);
    value.Reset();
    rocksdb::Status s =
        db.Get(rocksdb::ReadOptions(), db.DefaultColumnFamily(), TileKey(tile_level, tile), &value);
    if (s.IsNotFound()) return Missing(tile_level, from);
    if (!s.ok()) return FromRocks(s, "reading merkle tree");
    if (value.size() % kHashSize != 0 || value.size() > kMaxTileBytes) {
      return Status::Corruption("merkle tree: tile " + std::to_string(tile) + " at tile level " +
                                std::to_string(tile_level) + " has " +
                                std::to_string(value.size()) + " bytes");
    }
    const uint64_t width = value.size() / kHashSize;
    if (to - first > width) return Missing(tile_level, first + width);
    for (uint64_t i = from; i < to; ++i) {
      std::memcpy(out->emplace_back().data(), value.data() + (i - first) * kHashSize, kHashSize);
    }
  }
  return Status::Ok();
}

void PutTiles(const merkle::TileBuilder& before,
              const std::vector<merkle::TileBuilder::Completed>& completed,
              rocksdb::WriteBatch* batch) {
  // Per tile level: the bytes of the tile being filled, and its index.
  std::vector<std::string> open;
  std::vector<uint64_t> open_index;
  std::vector<bool> touched;
  for (const merkle::TileBuilder::Completed& c : completed) {
    if (!c.kept.empty()) {
      std::string nodes;
      nodes.reserve(c.kept.size() * kHashSize);
      for (const Sha256Digest& h : c.kept) nodes.append(Bytes(h));
      batch->Put(NodesKey(c.tile_level - 1, c.index), nodes);
    }
    const auto level = static_cast<size_t>(c.tile_level);
    if (open.size() <= level) {
      open.resize(level + 1);
      open_index.resize(level + 1);
      touched.resize(level + 1);
    }
    if (!touched[level]) {
      // The tile's hashes from before this batch: the builder's partial tile.
      touched[level] = true;
      for (const Sha256Digest& h : before.pending(c.tile_level)) open[level].append(Bytes(h));
    }
    open[level].append(Bytes(c.hash));
    open_index[level] = c.index / kTileWidth;
    if (c.index % kTileWidth == kTileWidth - 1) {
      batch->Put(TileKey(c.tile_level, open_index[level]), open[level]);
      open[level].clear();
    }
  }
  for (size_t level = 0; level < open.size(); ++level) {
    if (!open[level].empty()) {
      batch->Put(TileKey(static_cast<int>(level), open_index[level]), open[level]);
    }
  }
}

Result<uint64_t> MigrateHashKeys(rocksdb::DB& db) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  rocksdb::WriteBatch batch;
  std::string tile;
  int level = -1;
  uint64_t tile_index = 0;
  uint64_t hashes = 0;
  auto put_tile = [&] {
    if (!tile.empty()) batch.Put(TileKey(level, tile_index), tile);
    tile.clear();
  };
  for (it->Seek(kHashKeyPrefix); it->Valid() && it->key().starts_with(kHashKeyPrefix); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.size() != kHashKeySize || it->value().size() != kHashSize) {
      return Status::Corruption("merkle tree: a stored hash of the old layout is malformed");
    }
    const int key_level = static_cast<uint8_t>(key[1]);
    const uint64_t index = GetBigEndian64(key.substr(2));
    if (key_level != level || index / kTileWidth != tile_index) {
      put_tile();
      level = key_level;
      tile_index = index / kTileWidth;
    }
    if (index != tile_index * kTileWidth + tile.size() / kHashSize) {
      return Status::Corruption("merkle tree: stored hash " + std::to_string(index) +
                                " at tile level " + std::to_string(level) + " follows a gap");
    }
    tile.append(it->value().ToStringView());
    ++hashes;
    if (tile.size() == kMaxTileBytes && batch.Count() >= kMigrateBatch) {
      put_tile();
      rocksdb::Status s = db.Write(rocksdb::WriteOptions(), &batch);
      if (!s.ok()) return FromRocks(s, "migrating merkle tree");
      batch.Clear();
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading merkle tree");
  if (hashes == 0) return hashes;
  put_tile();
  batch.DeleteRange(db.DefaultColumnFamily(), "h", "i");
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status s = db.Write(sync, &batch);
  if (!s.ok()) return FromRocks(s, "migrating merkle tree");
  return hashes;
}

}  // namespace rotor::merkle_tiles
