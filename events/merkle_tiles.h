// The on-disk layout of MerkleStore's stored hashes (docs/storage.md): one
// RocksDB value per tile of C2SP tlog-tiles, the concatenated 32-byte stored
// hashes of one tile level, 256 for a full tile, fewer for the partial tile
// on the right edge (rewritten, longer, as the tree grows).
//
//   "t" u8(tile level) BE64(tile index) -> 32 * w bytes (1 <= w <= 256)
//   "n" u8(tile level) BE64(tile index) -> the kept nodes of a full tile
//                                          (merkle.h, kKeptNodes * 32 bytes)
//
// A full tile's kept nodes are written in the batch that completes it;
// trees written before they were kept have none, and proofs then hash the
// tile whole.
//
// Earlier versions stored one key per hash ("h" u8(tile level) BE64(index)
// -> 32 bytes); MigrateHashKeys converts such a store. Internal to
// MerkleStore; functions are thread-compatible (RocksDB's own thread
// safety applies).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "events/merkle.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace rotor::merkle_tiles {

std::string TileKey(int tile_level, uint64_t tile_index);
std::string NodesKey(int tile_level, uint64_t tile_index);

// Reads the kept nodes of full tile `tile_index` of tile level `tile_level`
// into `out` (replacing it). Errors: kNotFound when none are kept,
// kCorruption (a value of a bad length), kIoError.
Status ReadNodes(rocksdb::DB& db, int tile_level, uint64_t tile_index,
                 std::vector<Sha256Digest>* out);

// Reads stored hashes [index, index + count) of tile level `tile_level` into
// `out` (replacing it). Errors: kNotFound when one is not stored,
// kCorruption (a tile of a bad length), kIoError.
Status ReadHashes(rocksdb::DB& db, int tile_level, uint64_t index, uint64_t count,
                  std::vector<Sha256Digest>* out);

// Adds to `batch` every tile that `completed` (TileBuilder::Add's output, in
// order, for leaves added to `before`) changed: each tile it completes, with
// its kept nodes, and the partial tile of each level it extends.
void PutTiles(const merkle::TileBuilder& before,
              const std::vector<merkle::TileBuilder::Completed>& completed,
              rocksdb::WriteBatch* batch);

// Rewrites the per-hash keys of earlier versions as tiles and deletes them;
// a crash part way leaves both, and the next call finishes. Returns the
// number of hashes converted (0 when none). Errors: kCorruption, kIoError.
Result<uint64_t> MigrateHashKeys(rocksdb::DB& db);

}  // namespace rotor::merkle_tiles
