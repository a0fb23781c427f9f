// MerkleStore (events/merkle_store.h) over a real RocksDB log on disk: the
// stored tree equals a rebuild from the log's bytes, survives a reopen, proves
// inclusion of real records, and refuses a log shorter than itself.
#include "events/merkle_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
