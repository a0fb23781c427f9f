// Every database of a node (event log, projection store, Merkle tree) writes
// its table files paced (rocksdb_keys::PaceTableWrites): 1 MiB at a time, so
// a flush or compaction leaves no burst of dirty pages for the event log's
// WAL fsync to wait behind (docs/performance.md, the CSR p99). Read back from
// the OPTIONS file each database writes at open, i.e. what RocksDB runs with.
#include <gtest/gtest.h>
#include <rocksdb/convenience.h>
#include <rocksdb/utilities/options_util.h>

#include "events/merkle_store.h"
#include "events/rocksdb_event_log.h"
#include "projections/rocksdb_store.h"
#include "tests/projections/test_util.h"

namespace rotor::projections {
namespace {

using testing::TempDir;

// The DBOptions RocksDB wrote for the database at `path`.
rocksdb::DBOptions OptionsInUse(const std::string& path) {
  rocksdb::ConfigOptions config;
  config.ignore_unknown_options = true;
  rocksdb::DBOptions db;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  rocksdb::Status s = rocksdb::LoadLatestOptions(config, path, &db, &families);
  EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
  return db;
}

void ExpectPaced(const std::string& path) {
  rocksdb::DBOptions db = OptionsInUse(path);
  EXPECT_EQ(db.bytes_per_sync, uint64_t{1} << 20) << path;
  EXPECT_TRUE(db.strict_bytes_per_sync) << path;
}

TEST(TableWritePacing, EveryDatabaseOfANodeWritesItsTablesOneMebibyteAtATime) {
  TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("events"), {.sync = false});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto store = RocksDbProjectionStore::Open(dir.Sub("projections"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto tree = MerkleStore::Open(dir.Sub("merkle"), MerkleStoreOptions());
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  ExpectPaced(dir.Sub("events"));
  ExpectPaced(dir.Sub("projections"));
  ExpectPaced(dir.Sub("merkle"));
}

}  // namespace
}  // namespace rotor::projections
