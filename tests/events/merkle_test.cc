// RFC 9162 tree hashing and audit paths (events/merkle.h): the reference
// vectors of Certificate Transparency's own tests, and every proof of trees
// that cross the first two tile boundaries checked against a naive
// recursive tree and against tampering.
#include "events/merkle.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/events/event_log_test_util.h"
#include "tests/events/memory_tiles.h"

namespace rotor::merkle {
namespace {

using ::rotor::testing::StatusOf;

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// RFC 9162's definition, written the obvious way.
Sha256Digest NaiveRoot(const std::vector<Sha256Digest>& leaves, size_t begin, size_t end) {
  if (end - begin == 1) return leaves[begin];
  size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return NodeHash(NaiveRoot(leaves, begin, begin + k), NaiveRoot(leaves, begin + k, end));
}

Sha256Digest LeafOf(uint64_t i) { return LeafHash("record " + std::to_string(i)); }

TEST(Merkle, CertificateTransparencyReferenceRoots) {
  const std::vector<std::string> leaves = {"",
                                           "00",
                                           "10",
                                           "2021",
                                           "3031",
                                           "40414243",
                                           "5051525354555657",
                                           "606162636465666768696a6b6c6d6e6f"};
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  MemoryTiles tiles;
  CompactRange range;
  for (size_t i = 0; i < leaves.size(); ++i) {
    tiles.Add(LeafHash(Unhex(leaves[i])));
    range.Add(LeafHash(Unhex(leaves[i])));
    Result<Sha256Digest> root = RootHash(tiles.Reader(), i + 1);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(ToHex(*root), roots[i]) << "size " << i + 1;
    EXPECT_EQ(ToHex(range.Root()), roots[i]) << "size " << i + 1;
  }
  EXPECT_EQ(ToHex(*RootHash(tiles.Reader(), 0)),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Merkle, RootsMatchTheDefinitionAcrossTileBoundaries) {
  MemoryTiles tiles;
  CompactRange range;
  for (uint64_t n = 1; n <= 66000; ++n) {
    tiles.Add(LeafOf(n));
    range.Add(LeafOf(n));
    bool check = n <= 600 || n % 4099 == 0 || (n >= 65530 && n <= 65545) || n == 66000;
    if (!check) continue;
    Sha256Digest want = NaiveRoot(tiles.leaves(), 0, n);
    Result<Sha256Digest> root = RootHash(tiles.Reader(), n);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    ASSERT_EQ(*root, want) << "size " << n;
    ASSERT_EQ(range.Root(), want) << "size " << n;
  }
}

TEST(Merkle, EveryInclusionProofVerifiesAndATamperedOneDoesNot) {
  MemoryTiles tiles;
  for (uint64_t n = 1; n <= 700; ++n) tiles.Add(LeafOf(n));
  for (uint64_t size : {1u, 2u, 3u, 7u, 8u, 255u, 256u, 257u, 511u, 700u}) {
    Sha256Digest root = *RootHash(tiles.Reader(), size);
    for (uint64_t i = 0; i < size; ++i) {
      Result<std::vector<Sha256Digest>> proof = InclusionProof(tiles.Reader(), i, size);
      ASSERT_TRUE(proof.ok()) << proof.status().ToString();
      ASSERT_TRUE(VerifyInclusion(tiles.leaves()[i], i, size, *proof, root).ok())
          << "leaf " << i << " size " << size;
      if (proof->empty()) continue;
      std::vector<Sha256Digest> bad = *proof;
      bad[i % bad.size()][0] ^= 1;
      EXPECT_FALSE(VerifyInclusion(tiles.leaves()[i], i, size, bad, root).ok());
      EXPECT_FALSE(VerifyInclusion(tiles.leaves()[(i + 1) % size], i, size, *proof, root).ok());
      bad = *proof;
      bad.pop_back();
      EXPECT_FALSE(VerifyInclusion(tiles.leaves()[i], i, size, bad, root).ok());
    }
  }
  EXPECT_EQ(StatusOf(InclusionProof(tiles.Reader(), 5, 5)).code(), StatusCode::kInvalidArgument);
}

TEST(Merkle, EveryConsistencyProofVerifiesAndAForkDoesNot) {
  MemoryTiles tiles;
  MemoryTiles fork;
  for (uint64_t n = 1; n <= 600; ++n) {
    tiles.Add(LeafOf(n));
    fork.Add(n == 300 ? LeafHash("rewritten") : LeafOf(n));
  }
  std::mt19937_64 rng(7);
  std::vector<std::pair<uint64_t, uint64_t>> pairs = {{1, 1},     {1, 2},     {2, 3},    {4, 8},
                                                      {255, 256}, {256, 257}, {300, 600}};
  for (int i = 0; i < 300; ++i) {
    uint64_t b = rng() % 600 + 1;
    pairs.emplace_back(rng() % b + 1, b);
  }
  for (auto [m, n] : pairs) {
    Sha256Digest old_root = *RootHash(tiles.Reader(), m);
    Sha256Digest new_root = *RootHash(tiles.Reader(), n);
    Result<std::vector<Sha256Digest>> proof = ConsistencyProof(tiles.Reader(), m, n);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    ASSERT_TRUE(VerifyConsistency(m, n, old_root, new_root, *proof).ok()) << m << " -> " << n;
    if (m >= 300) {
      // The history the old checkpoint covers was rewritten at leaf 300 (index 299).
      Sha256Digest forked_root = *RootHash(fork.Reader(), n);
      Result<std::vector<Sha256Digest>> fork_proof = ConsistencyProof(fork.Reader(), m, n);
      ASSERT_TRUE(fork_proof.ok());
      EXPECT_FALSE(VerifyConsistency(m, n, old_root, forked_root, *fork_proof).ok())
          << m << " -> " << n;
    }
    if (!proof->empty()) {
      std::vector<Sha256Digest> bad = *proof;
      bad.back()[31] ^= 0x80;
      EXPECT_FALSE(VerifyConsistency(m, n, old_root, new_root, bad).ok()) << m << " -> " << n;
    }
  }
  EXPECT_EQ(StatusOf(ConsistencyProof(tiles.Reader(), 9, 8)).code(), StatusCode::kInvalidArgument);
}

TEST(Merkle, ResumedBuilderStoresWhatAnUninterruptedOneStores) {
  MemoryTiles whole;
  for (uint64_t n = 1; n <= 70000; ++n) whole.Add(LeafOf(n));
  for (uint64_t cut : {0u, 1u, 255u, 256u, 257u, 65535u, 65536u, 65600u}) {
    Result<TileBuilder> resumed = TileBuilder::Resume(whole.Reader(), cut);
    ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
    TileBuilder fresh;
    std::vector<TileBuilder::Completed> a, b;
    for (uint64_t n = 0; n < cut; ++n) fresh.Add(LeafOf(n + 1), &a);
    a.clear();
    for (uint64_t n = cut; n < cut + 600; ++n) {
      fresh.Add(LeafOf(n + 1), &a);
      resumed->Add(LeafOf(n + 1), &b);
    }
    ASSERT_EQ(a.size(), b.size()) << "cut " << cut;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].tile_level, b[i].tile_level);
      EXPECT_EQ(a[i].index, b[i].index);
      EXPECT_EQ(a[i].hash, b[i].hash);
    }
  }
}

}  // namespace
}  // namespace rotor::merkle
