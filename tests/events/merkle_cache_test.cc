// The tile cache (events/merkle_cache.h): roots and proofs through it equal
// those computed from the stored hashes while the tree grows (its partial
// right-edge tiles are extended, never served stale), a repeated proof reads
// nothing, and the memory bound holds.
#include "events/merkle_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/events/event_log_test_util.h"
#include "tests/events/memory_tiles.h"

namespace rotor::merkle {
namespace {

using ::rotor::testing::StatusOf;

Sha256Digest LeafOf(uint64_t i) { return LeafHash("leaf " + std::to_string(i)); }

constexpr size_t kFullTileBytes = 510 * sizeof(Sha256Digest);

// Roots, inclusion and consistency proofs of `n` random choices in the
// tree of `size` leaves, through `cache` and from the stored hashes.
void ExpectSameAnswers(TileCache& cache, const MemoryTiles& tiles, uint64_t size, int n,
                       std::mt19937_64& rng, const TileNodesReader* nodes = nullptr) {
  TileHashReader read = tiles.Reader();
  CompleteHashReader cached = cache.Reader(read, tiles.size(), nodes);
  ASSERT_EQ(*RootHash(cached, size), *RootHash(read, size)) << "size " << size;
  for (int i = 0; i < n; ++i) {
    uint64_t index = rng() % size;
    uint64_t old_size = 1 + rng() % size;
    ASSERT_EQ(*InclusionProof(cached, index, size), *InclusionProof(read, index, size))
        << "leaf " << index << " size " << size;
    ASSERT_EQ(*ConsistencyProof(cached, old_size, size), *ConsistencyProof(read, old_size, size))
        << old_size << " -> " << size;
  }
}

TEST(TileCache, AnswersAsTheStoredHashesDoWhileTheTreeGrows) {
  MemoryTiles tiles;
  TileCache cache(size_t{64} << 20);
  std::mt19937_64 rng(3);
  // The sizes cross tile boundaries at tile levels 0, 1 and 2.
  for (uint64_t size : {1u, 2u, 3u, 255u, 256u, 257u, 300u, 511u, 512u, 513u, 4097u, 65535u, 65536u,
                        65537u, 66000u, 70001u}) {
    while (tiles.size() < size) tiles.Add(LeafOf(tiles.size()));
    ExpectSameAnswers(cache, tiles, size, 40, rng);
    // Proofs against an older size, after the cache saw a larger tree.
    ExpectSameAnswers(cache, tiles, 1 + rng() % size, 10, rng);
  }
  EXPECT_GT(cache.hits(), 0u);
}

TEST(TileCache, ColdTilesReadWithTheirKeptNodesAnswerAsTheStoredHashesDo) {
  MemoryTiles tiles;
  // Tiles 0-99 of tile level 0 from a store written before nodes were kept.
  tiles.KeepNodes(false);
  for (uint64_t n = 0; n < 100 * kTileWidth; ++n) tiles.Add(LeafOf(n));
  tiles.KeepNodes(true);
  std::mt19937_64 rng(9);
  TileNodesReader nodes = tiles.NodesReader();
  for (uint64_t size : {25600u, 25601u, 65536u, 65537u, 70001u}) {
    while (tiles.size() < size) tiles.Add(LeafOf(tiles.size()));
    TileCache cold(0);  // every lookup reads its tile
    ExpectSameAnswers(cold, tiles, size, 30, rng, &nodes);
    TileCache warm(size_t{64} << 20);
    ExpectSameAnswers(warm, tiles, size, 30, rng, &nodes);
    ExpectSameAnswers(warm, tiles, 1 + rng() % size, 30, rng, &nodes);
  }
  EXPECT_GT(tiles.node_reads(), 0u);
  // A tile read with its kept nodes holds 286 hashes, not 510.
  TileCache one(size_t{64} << 20);
  TileHashReader read = tiles.Reader();
  ASSERT_TRUE(one.CompleteHash(read, &nodes, tiles.size(), 1, 200 * 128).ok());
  EXPECT_EQ(one.bytes(), 286 * sizeof(Sha256Digest));
  ASSERT_TRUE(one.CompleteHash(read, &nodes, tiles.size(), 1, 10 * 128).ok());  // not kept
  EXPECT_EQ(one.bytes(), (286 + 510) * sizeof(Sha256Digest));
}

TEST(TileCache, ARepeatedProofReadsNothing) {
  MemoryTiles tiles;
  for (uint64_t n = 0; n < 70000; ++n) tiles.Add(LeafOf(n));
  TileCache cache(size_t{64} << 20);
  TileHashReader read = tiles.Reader();
  CompleteHashReader cached = cache.Reader(read, tiles.size());
  Result<std::vector<Sha256Digest>> first = InclusionProof(cached, 12345, 70000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  uint64_t reads = tiles.reads();
  EXPECT_GT(reads, 0u);
  EXPECT_EQ(*InclusionProof(cached, 12345, 70000), *first);
  EXPECT_EQ(tiles.reads(), reads);
  Result<std::vector<Sha256Digest>> consistency = ConsistencyProof(cached, 12346, 70000);
  EXPECT_EQ(*consistency, *ConsistencyProof(read, 12346, 70000));
  Result<Sha256Digest> root = RootHash(cached, 70000);
  EXPECT_EQ(*root, *RootHash(read, 70000));
  // Their tiles were read once: repeats read none.
  reads = tiles.reads();
  EXPECT_EQ(*ConsistencyProof(cached, 12346, 70000), *consistency);
  EXPECT_EQ(*RootHash(cached, 70000), *root);
  EXPECT_EQ(*InclusionProof(cached, 12345, 70000), *first);
  EXPECT_EQ(tiles.reads(), reads);
}

TEST(TileCache, StaysWithinItsBoundAndStillAnswersRightly) {
  MemoryTiles tiles;
  for (uint64_t n = 0; n < 5000; ++n) tiles.Add(LeafOf(n));
  std::mt19937_64 rng(5);
  for (size_t bound : {size_t{0}, kFullTileBytes - 1, 3 * kFullTileBytes}) {
    TileCache cache(bound);
    for (int round = 0; round < 20; ++round) {
      ExpectSameAnswers(cache, tiles, 1 + rng() % tiles.size(), 5, rng);
      ASSERT_LE(cache.bytes(), bound);
    }
    if (bound == 0) {
      EXPECT_EQ(cache.tiles(), 0u);
    } else {
      EXPECT_GT(cache.tiles(), 0u) << "bound " << bound;
    }
  }
}

TEST(TileCache, RefusesASubtreeTheTreeDoesNotHold) {
  MemoryTiles tiles;
  for (uint64_t n = 0; n < 300; ++n) tiles.Add(LeafOf(n));
  TileCache cache(size_t{1} << 20);
  TileHashReader read = tiles.Reader();
  EXPECT_TRUE(cache.CompleteHash(read, nullptr, 300, 0, 299).ok());
  EXPECT_EQ(StatusOf(cache.CompleteHash(read, nullptr, 300, 0, 300)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusOf(cache.CompleteHash(read, nullptr, 300, 8, 1)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusOf(cache.CompleteHash(read, nullptr, 300, 2, uint64_t{1} << 62)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(*cache.CompleteHash(read, nullptr, 300, 8, 0), *SubtreeHash(read, 0, 256));
}

}  // namespace
}  // namespace rotor::merkle
