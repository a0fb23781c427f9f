#include "events/merkle_store.h"

#include <rocksdb/db.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "base/coding.h"
#include "events/merkle_tiles.h"
#include "events/rocksdb_keys.h"

namespace rotor {
namespace {

using rocksdb_keys::FromRocks;

constexpr char kSizeKey[] = "size";
// Leaves read from the log per WriteBatch while catching up.
constexpr uint64_t kCatchUpBatch = 4096;

std::string CheckpointKey(uint64_t size) {
  std::string key = "c";
  PutBigEndian64(&key, size);
  return key;
}

}  // namespace

MerkleStore::MerkleStore(std::unique_ptr<rocksdb::DB> db, const MerkleStoreOptions& options)
    : db_(std::move(db)),
      stored_(Reader()),
      kept_([this](int tile_level, uint64_t tile, std::vector<Sha256Digest>* out) {
        return merkle_tiles::ReadNodes(*db_, tile_level, tile, out);
      }),
      cache_(options.cache_bytes) {}
MerkleStore::~MerkleStore() = default;

Result<std::unique_ptr<MerkleStore>> MerkleStore::Open(const std::string& path,
                                                       const MerkleStoreOptions& store_options) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 16 << 20;  // about 33 bytes an event: small memtables suffice
  rocksdb_keys::PaceTableWrites(options);
  // Hashes do not compress; XXH3 block checksums cost far less than the
  // CRC32c this RocksDB computes in software. Files written with other
  // settings stay readable (each block records its own).
  options.compression = rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.checksum = rocksdb::kXXH3;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return FromRocks(s, "opening merkle tree " + path);
  std::unique_ptr<MerkleStore> store(
      new MerkleStore(std::unique_ptr<rocksdb::DB>(raw), store_options));
  std::string value;
  s = store->db_->Get(rocksdb::ReadOptions(), kSizeKey, &value);
  if (s.ok()) {
    if (value.size() != 8) return Status::Corruption("merkle tree " + path + ": bad size record");
    store->size_.store(GetBigEndian64(value));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading merkle tree " + path);
  }
  Result<uint64_t> migrated = merkle_tiles::MigrateHashKeys(*store->db_);
  if (!migrated.ok()) return migrated.status().WithContext("merkle tree " + path);
  if (*migrated > 0) {
    spdlog::info("merkle tree {}: {} stored hashes rewritten as tiles", path, *migrated);
  }
  Result<merkle::TileBuilder> builder = merkle::TileBuilder::Resume(store->Reader(), store->size());
  if (!builder.ok()) return builder.status().WithContext("merkle tree " + path);
  {
    MutexLock lock(&store->catch_up_mu_);
    store->builder_ = std::move(*builder);
  }
  return store;
}

Status MerkleStore::ReadHashes(int tile_level, uint64_t index, uint64_t count,
                               std::vector<Sha256Digest>* out) const {
  return merkle_tiles::ReadHashes(*db_, tile_level, index, count, out);
}

merkle::TileHashReader MerkleStore::Reader() const {
  return [this](int tile_level, uint64_t index, uint64_t count, std::vector<Sha256Digest>* out) {
    return ReadHashes(tile_level, index, count, out);
  };
}

Result<uint64_t> MerkleStore::CatchUp(const EventLog& log, uint64_t max_leaves) {
  MutexLock lock(&catch_up_mu_);
  uint64_t head = log.Head();
  uint64_t size = builder_->size();
  if (size > head) {
    return Status::FailedPrecondition("the merkle tree holds " + std::to_string(size) +
                                      " records but the log only " + std::to_string(head) +
                                      ": the log lost records that were in the tree");
  }
  uint64_t target = head - size > max_leaves ? size + max_leaves : head;
  std::vector<merkle::TileBuilder::Completed> completed;
  while (builder_->size() < target) {
    uint64_t end = std::min(target, builder_->size() + kCatchUpBatch);
    uint64_t expected = builder_->size() + 1;
    completed.clear();
    merkle::TileBuilder next = *builder_;
    Status bad;
    Status scan = log.ScanStored(
        expected, Direction::kForward, [&](uint64_t sequence, std::string_view value) {
          if (sequence != expected || value.size() < kHashSize) {
            bad = Status::Corruption("merkle tree: record " + std::to_string(expected) +
                                     " is missing or short");
            return false;
          }
          next.Add(merkle::LeafHash(value.substr(kHashSize)), &completed);
          return ++expected <= end;
        });
    ROTOR_RETURN_IF_ERROR(scan);
    ROTOR_RETURN_IF_ERROR(bad);
    if (next.size() != end) {
      return Status::Corruption("merkle tree: the log ends at " + std::to_string(next.size()) +
                                " before its head " + std::to_string(end));
    }
    rocksdb::WriteBatch batch;
    merkle_tiles::PutTiles(*builder_, completed, &batch);
    std::string size_value;
    PutBigEndian64(&size_value, next.size());
    batch.Put(kSizeKey, size_value);
    rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocks(s, "writing merkle tree");
    builder_ = std::move(next);
    size_.store(builder_->size(), std::memory_order_release);
  }
  return builder_->size();
}

merkle::CompleteHashReader MerkleStore::Nodes() const {
  return cache_.Reader(stored_, size(), &kept_);
}

Status MerkleStore::CheckSize(uint64_t size) const {
  if (size > this->size()) {
    return Status::InvalidArgument("tree size " + std::to_string(size) +
                                   " is larger than the tree (" + std::to_string(this->size()) +
                                   " records)");
  }
  return Status::Ok();
}

Result<Sha256Digest> MerkleStore::Root(uint64_t size) const {
  ROTOR_RETURN_IF_ERROR(CheckSize(size));
  return merkle::RootHash(Nodes(), size);
}

Result<std::vector<Sha256Digest>> MerkleStore::InclusionProof(uint64_t index, uint64_t size) const {
  ROTOR_RETURN_IF_ERROR(CheckSize(size));
  return merkle::InclusionProof(Nodes(), index, size);
}

Result<std::vector<Sha256Digest>> MerkleStore::ConsistencyProof(uint64_t old_size,
                                                                uint64_t new_size) const {
  ROTOR_RETURN_IF_ERROR(CheckSize(new_size));
  return merkle::ConsistencyProof(Nodes(), old_size, new_size);
}

Status MerkleStore::PutCheckpoint(uint64_t size, const std::string& note) {
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status s = db_->Put(options, CheckpointKey(size), note);
  return s.ok() ? Status::Ok() : FromRocks(s, "writing checkpoint");
}

Result<std::optional<std::string>> MerkleStore::Checkpoint(uint64_t size) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), CheckpointKey(size), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading checkpoint");
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::pair<uint64_t, std::string>>> MerkleStore::LatestCheckpoint() const {
  using Latest = std::optional<std::pair<uint64_t, std::string>>;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(CheckpointKey(UINT64_MAX));
  if (!it->status().ok()) return FromRocks(it->status(), "reading checkpoints");
  if (!it->Valid() || !it->key().starts_with("c") || it->key().size() != 9) return Latest();
  return Latest(
      std::make_pair(GetBigEndian64(it->key().ToStringView().substr(1)), it->value().ToString()));
}

Result<std::vector<uint64_t>> MerkleStore::CheckpointSizes(uint64_t from, size_t max) const {
  std::vector<uint64_t> sizes;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(CheckpointKey(from)); it->Valid() && sizes.size() < max; it->Next()) {
    if (!it->key().starts_with("c") || it->key().size() != 9) break;
    sizes.push_back(GetBigEndian64(it->key().ToStringView().substr(1)));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading checkpoints");
  return sizes;
}

Result<std::vector<uint64_t>> MerkleStore::LatestCheckpointSizes(size_t max) const {
  std::vector<uint64_t> sizes;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekForPrev(CheckpointKey(UINT64_MAX)); it->Valid() && sizes.size() < max; it->Prev()) {
    if (!it->key().starts_with("c") || it->key().size() != 9) break;
    sizes.push_back(GetBigEndian64(it->key().ToStringView().substr(1)));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading checkpoints");
  return sizes;
}

Result<Sha256Digest> RebuildRoot(const EventLog& log, uint64_t size) {
  merkle::CompactRange range;
  uint64_t expected = 1;
  Status bad;
  if (size > 0) {
    ROTOR_RETURN_IF_ERROR(
        log.ScanStored(1, Direction::kForward, [&](uint64_t sequence, std::string_view value) {
          if (sequence != expected || value.size() < kHashSize) {
            bad = Status::Corruption("record " + std::to_string(expected) + " is missing or short");
            return false;
          }
          range.Add(merkle::LeafHash(value.substr(kHashSize)));
          return ++expected <= size;
        }));
  }
  ROTOR_RETURN_IF_ERROR(bad);
  if (range.size() != size) {
    return Status::FailedPrecondition("the log has " + std::to_string(range.size()) +
                                      " records, fewer than tree size " + std::to_string(size));
  }
  return range.Root();
}

}  // namespace rotor
