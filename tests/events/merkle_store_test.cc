// MerkleStore (events/merkle_store.h) over a real RocksDB log on disk: the
// stored tree equals a rebuild from the log's bytes, survives a reopen, proves
// inclusion of real records, and refuses a log shorter than itself.
#include "events/merkle_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/coding.h"
#include "events/record.h"
#include "events/rocksdb_event_log.h"
#include "tests/events/event_log_test_util.h"

namespace rotor {
namespace {

using ::rotor::testing::Request;
using ::rotor::testing::TempDir;

void AppendRecords(EventLog& log, int count) {
  for (int i = 0; i < count; i += 50) {
    std::vector<std::string> payloads;
    for (int j = i; j < std::min(count, i + 50); ++j)
      payloads.push_back("payload " + std::to_string(j));
    ASSERT_OK(log.Append(Request("s-" + std::to_string(i), ExpectedVersion::Any(), payloads)));
  }
}

TEST(MerkleStore, TreeFollowsTheLogAndEqualsARebuildAfterReopen) {
  TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
  ASSERT_OK(log);
  AppendRecords(**log, 700);
  {
    auto tree = MerkleStore::Open(dir.Sub("tree"));
    ASSERT_OK(tree);
    ASSERT_OK((*tree)->CatchUp(**log, 300));
    EXPECT_EQ((*tree)->size(), 300u);
    ASSERT_OK((*tree)->CatchUp(**log));
    EXPECT_EQ((*tree)->size(), 700u);
  }
  AppendRecords(**log, 333);
  auto tree = MerkleStore::Open(dir.Sub("tree"));
  ASSERT_OK(tree);
  EXPECT_EQ((*tree)->size(), 700u);
  ASSERT_OK((*tree)->CatchUp(**log));
  ASSERT_EQ((*tree)->size(), 1033u);
  for (uint64_t size : {1u, 256u, 700u, 1033u}) {
    Result<Sha256Digest> stored = (*tree)->Root(size);
    Result<Sha256Digest> rebuilt = RebuildRoot(**log, size);
    ASSERT_OK(stored);
    ASSERT_OK(rebuilt);
    EXPECT_EQ(*stored, *rebuilt) << "size " << size;
  }
  // Record 500's canonical bytes are its leaf: its proof leads to the root.
  RecordedEvent record;
  ASSERT_OK((*log)->ReadOne(500, &record));
  Sha256Digest leaf = merkle::LeafHash(EncodeCanonical(record));
  auto proof = (*tree)->InclusionProof(499, 1033);
  ASSERT_OK(proof);
  EXPECT_OK(merkle::VerifyInclusion(leaf, 499, 1033, *proof, *(*tree)->Root(1033)));
  auto consistency = (*tree)->ConsistencyProof(700, 1033);
  ASSERT_OK(consistency);
  EXPECT_OK(merkle::VerifyConsistency(700, 1033, *(*tree)->Root(700), *(*tree)->Root(1033),
                                      *consistency));
  EXPECT_EQ((*tree)->Root(1034).status().code(), StatusCode::kInvalidArgument);
}

TEST(MerkleStore, RefusesALogShorterThanTheTree) {
  TempDir dir;
  {
    auto log = RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
    ASSERT_OK(log);
    AppendRecords(**log, 100);
    auto tree = MerkleStore::Open(dir.Sub("tree"));
    ASSERT_OK(tree);
    ASSERT_OK((*tree)->CatchUp(**log));
  }
  auto other = RocksDbEventLog::Open(dir.Sub("other"), {.sync = false});
  ASSERT_OK(other);
  AppendRecords(**other, 60);
  auto tree = MerkleStore::Open(dir.Sub("tree"));
  ASSERT_OK(tree);
  Result<uint64_t> r = (*tree)->CatchUp(**other);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("holds 100 records but the log only 60"), std::string::npos)
      << r.status().ToString();
}

// The keys of the store in `path` (closed), as "<first byte>" -> count.
std::map<char, int> KeyKinds(const std::string& path) {
  std::map<char, int> kinds;
  rocksdb::DB* raw = nullptr;
  rocksdb::Options options;
  EXPECT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++kinds[it->key()[0]];
  return kinds;
}

TEST(MerkleStore, KeepsOneKeyPerTile) {
  TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
  ASSERT_OK(log);
  AppendRecords(**log, 1033);
  {
    auto tree = MerkleStore::Open(dir.Sub("tree"));
    ASSERT_OK(tree);
    // Several batches, so that partial tiles are rewritten longer.
    for (uint64_t size : {100u, 256u, 300u, 1033u}) {
      ASSERT_OK((*tree)->CatchUp(**log, size - (*tree)->size()));
    }
  }
  // Five tiles of leaf hashes (the fifth partial), one of level-1 hashes,
  // the kept nodes of the four full tiles, and the size.
  EXPECT_EQ(KeyKinds(dir.Sub("tree")), (std::map<char, int>{{'n', 4}, {'t', 6}, {'s', 1}}));
  auto tree = MerkleStore::Open(dir.Sub("tree"));
  ASSERT_OK(tree);
  for (uint64_t size : {1u, 255u, 256u, 257u, 1024u, 1033u}) {
    EXPECT_EQ(*(*tree)->Root(size), *RebuildRoot(**log, size)) << "size " << size;
  }
}

// Writes the tree of the log's first `size` records in the layout of earlier
// versions (one key per stored hash) into a fresh store at `path`.
void WriteOldLayout(const EventLog& log, uint64_t size, const std::string& path) {
  merkle::TileBuilder builder;
  std::vector<merkle::TileBuilder::Completed> completed;
  ASSERT_OK(log.ScanStored(1, Direction::kForward, [&](uint64_t sequence, std::string_view value) {
    builder.Add(merkle::LeafHash(value.substr(kHashSize)), &completed);
    return sequence < size;
  }));
  rocksdb::DB* raw = nullptr;
  rocksdb::Options options;
  options.create_if_missing = true;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteBatch batch;
  for (const auto& c : completed) {
    std::string key = "h";
    key.push_back(static_cast<char>(c.tile_level));
    PutBigEndian64(&key, c.index);
    batch.Put(key, std::string_view(reinterpret_cast<const char*>(c.hash.data()), 32));
  }
  std::string size_value;
  PutBigEndian64(&size_value, size);
  batch.Put("size", size_value);
  ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &batch).ok());
}

TEST(MerkleStore, RewritesAStoreOfTheOldLayoutAsTiles) {
  TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("log"), {.sync = false});
  ASSERT_OK(log);
  AppendRecords(**log, 1033);
  WriteOldLayout(**log, 700, dir.Sub("tree"));
  {
    auto tree = MerkleStore::Open(dir.Sub("tree"));
    ASSERT_OK(tree);
    EXPECT_EQ((*tree)->size(), 700u);
    EXPECT_EQ(*(*tree)->Root(700), *RebuildRoot(**log, 700));
    ASSERT_OK((*tree)->CatchUp(**log));
    EXPECT_EQ(*(*tree)->Root(1033), *RebuildRoot(**log, 1033));
    EXPECT_EQ(*(*tree)->Root(513), *RebuildRoot(**log, 513));
    // Tiles 0 and 1 keep no nodes (the old store did not): proofs from
    // them, and from tiles 2 and 3 that do, are those of the stored hashes.
    merkle::TileHashReader stored = (*tree)->Reader();
    for (uint64_t index : {0u, 300u, 511u, 512u, 700u, 1023u}) {
      EXPECT_EQ(*(*tree)->InclusionProof(index, 1033), *merkle::InclusionProof(stored, index, 1033))
          << "leaf " << index;
      EXPECT_EQ(*(*tree)->ConsistencyProof(index + 1, 1033),
                *merkle::ConsistencyProof(stored, index + 1, 1033))
          << "from " << index + 1;
    }
  }
  EXPECT_EQ(KeyKinds(dir.Sub("tree")), (std::map<char, int>{{'n', 2}, {'t', 6}, {'s', 1}}));

  // An old store with a hash missing is refused, naming it.
  WriteOldLayout(**log, 600, dir.Sub("gap"));
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.Sub("gap"), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string key = "h";
    key.push_back('\0');
    PutBigEndian64(&key, 300);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), key).ok());
  }
  auto gap = MerkleStore::Open(dir.Sub("gap"));
  EXPECT_EQ(gap.status().code(), StatusCode::kCorruption);
  EXPECT_NE(gap.status().message().find("stored hash 301 at tile level 0 follows a gap"),
            std::string::npos)
      << gap.status().ToString();
}

TEST(MerkleStore, StoresAndListsCheckpoints) {
  TempDir dir;
  auto tree = MerkleStore::Open(dir.Sub("tree"));
  ASSERT_OK(tree);
  auto none = (*tree)->LatestCheckpoint();
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_OK((*tree)->PutCheckpoint(10, "note 10"));
  ASSERT_OK((*tree)->PutCheckpoint(300, "note 300"));
  ASSERT_OK((*tree)->PutCheckpoint(20, "note 20"));
  auto latest = (*tree)->LatestCheckpoint();
  ASSERT_OK(latest);
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->first, 300u);
  EXPECT_EQ((*latest)->second, "note 300");
  auto at20 = (*tree)->Checkpoint(20);
  ASSERT_OK(at20);
  EXPECT_EQ(at20->value_or(""), "note 20");
  auto sizes = (*tree)->CheckpointSizes(15, 10);
  ASSERT_OK(sizes);
  EXPECT_EQ(*sizes, (std::vector<uint64_t>{20, 300}));
}

}  // namespace
}  // namespace rotor
