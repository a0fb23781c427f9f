#include "projections/rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "events/rocksdb_keys.h"

namespace rotor::projections {
namespace {

using rocksdb_keys::FromRocks;

// The memtable budget of every projection's column family together: what a
// bulk ingest adds to rotord's resident memory for the projections (peak
// memory, docs/operations.md).
constexpr size_t kMemtableBudgetBytes = 16 << 20;

rocksdb::ColumnFamilyOptions FamilyOptions(std::string_view name) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = kMemtableBudgetBytes;
  if (name == kSnapshotFamily) {
    // Snapshot chunks are large and written once: kept in blob files, so
    // compactions move only their keys.
    cf.enable_blob_files = true;
    cf.min_blob_size = 4096;
  }
  return cf;
}

class RocksBatch final : public StoreBatch {
 public:
  explicit RocksBatch(rocksdb::ColumnFamilyHandle* family) : family_(family) {}
  void Put(std::string_view key, std::string_view value) override {
    batch_.Put(family_, rocksdb::Slice(key.data(), key.size()),
               rocksdb::Slice(value.data(), value.size()));
  }
  void Delete(std::string_view key) override {
    batch_.Delete(family_, rocksdb::Slice(key.data(), key.size()));
  }
  void ClearAll() override {
    // Every key of a projection is below "\xff" (keys are ASCII-prefixed).
    batch_.DeleteRange(family_, rocksdb::Slice(""), rocksdb::Slice("\xff\xff\xff\xff"));
  }
  size_t ApproximateSize() const override { return batch_.GetDataSize(); }

  rocksdb::ColumnFamilyHandle* family_;
  rocksdb::WriteBatch batch_;
};

class RocksReader final : public KvReader {
 public:
  RocksReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family)
      : db_(db), family_(family), snapshot_(db->GetSnapshot()) {}
  ~RocksReader() override { db_->ReleaseSnapshot(snapshot_); }

  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    if (family_ == nullptr) return Status::Ok();
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, family_));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (!key.starts_with(prefix)) break;
      if (!visit(key, std::string_view(it->value().data(), it->value().size()))) break;
    }
    return FromRocks(it->status(), "scan projection store");
  }

  std::string LastKey(std::string_view prefix) const override {
    // The first key past every key with `prefix`: the prefix with its last
    // byte below 0xff incremented (none: the prefix is all 0xff).
    std::string past(prefix);
    while (!past.empty() && static_cast<uint8_t>(past.back()) == 0xff) past.pop_back();
    if (family_ == nullptr || past.empty()) return {};
    past.back() = static_cast<char>(static_cast<uint8_t>(past.back()) + 1);
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, family_));
    it->SeekForPrev(past);
    if (it->Valid() && it->key() == rocksdb::Slice(past)) it->Prev();
    if (!it->Valid() || !it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
      return {};
    }
    return it->key().ToString();
  }

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace

RocksDbProjectionStore::RocksDbProjectionStore(RocksDbProjectionStoreOptions options)
    : options_(options) {}

Result<std::unique_ptr<RocksDbProjectionStore>> RocksDbProjectionStore::Open(
    const std::string& path, RocksDbProjectionStoreOptions options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.max_total_wal_size = 64 << 20;  // bounds a start's WAL replay (docs/storage.md)
  rocksdb_keys::PaceTableWrites(db_options);
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(kMemtableBudgetBytes);
  if (options.env != nullptr) db_options.env = options.env;
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, path, &names);
  if (!listed.ok() || names.empty()) names = {rocksdb::kDefaultColumnFamilyName};
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.reserve(names.size());
  for (const std::string& name : names) descriptors.emplace_back(name, FamilyOptions(name));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "open projection store at " + path);
  std::unique_ptr<RocksDbProjectionStore> store(new RocksDbProjectionStore(options));
  store->db_.reset(raw);
  // A snapshot file a crash left before RocksDB ingested it (PutSnapshot).
  std::error_code error;
  for (std::filesystem::directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().filename().string().starts_with(kSnapshotIngestPrefix)) {
      std::error_code ignored;
      std::filesystem::remove(it->path(), ignored);
    }
  }
  {
    MutexLock lock(&store->mu_);
    for (size_t i = 0; i < names.size(); ++i) store->families_[names[i]] = handles[i];
  }
  return store;
}

RocksDbProjectionStore::~RocksDbProjectionStore() {
  if (db_ == nullptr) return;
  MutexLock lock(&mu_);
  // A clean close leaves no WAL to replay (a faster next open).
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  for (auto& [name, handle] : families_) handles.push_back(handle);
  rocksdb::Status flushed = db_->Flush(rocksdb::FlushOptions(), handles);
  if (!flushed.ok()) spdlog::warn("flushing projection store at close: {}", flushed.ToString());
  for (auto& [name, handle] : families_) db_->DestroyColumnFamilyHandle(handle);
  rocksdb::Status s = db_->Close();
  if (!s.ok()) spdlog::warn("closing projection store: {}", s.ToString());
}

rocksdb::ColumnFamilyHandle* RocksDbProjectionStore::FindFamily(std::string_view name) const {
  MutexLock lock(&mu_);
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : it->second;
}

Result<rocksdb::ColumnFamilyHandle*> RocksDbProjectionStore::Family(std::string_view name) {
  MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it != families_.end()) return it->second;
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  rocksdb::Status s = db_->CreateColumnFamily(FamilyOptions(name), std::string(name), &handle);
  if (!s.ok()) return FromRocks(s, "create projection family '" + std::string(name) + "'");
  families_.emplace(std::string(name), handle);
  return handle;
}

Result<std::unique_ptr<StoreBatch>> RocksDbProjectionStore::NewBatch(std::string_view name) {
  if (name.empty() || name == rocksdb::kDefaultColumnFamilyName || name.starts_with('~')) {
    return Status::InvalidArgument("bad projection name '" + std::string(name) + "'");
  }
  Result<rocksdb::ColumnFamilyHandle*> family = Family(name);
  if (!family.ok()) return family.status();
  return std::unique_ptr<StoreBatch>(new RocksBatch(*family));
}

Status RocksDbProjectionStore::Commit(StoreBatch& batch, const Checkpoint& checkpoint) {
  auto& b = static_cast<RocksBatch&>(batch);
  std::string cp = EncodeCheckpoint(checkpoint);
  b.batch_.Put(b.family_, rocksdb::Slice(kCheckpointKey.data(), kCheckpointKey.size()), cp);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &b.batch_), "commit projection batch");
}

Result<Checkpoint> RocksDbProjectionStore::ReadCheckpoint(std::string_view name) const {
  rocksdb::ColumnFamilyHandle* family = FindFamily(name);
  if (family == nullptr) return Checkpoint{};
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), family,
               rocksdb::Slice(kCheckpointKey.data(), kCheckpointKey.size()), &value);
  if (s.IsNotFound()) return Checkpoint{};
  ROTOR_RETURN_IF_ERROR(FromRocks(s, "read projection checkpoint"));
  return DecodeCheckpoint(value);
}

Result<std::unique_ptr<KvReader>> RocksDbProjectionStore::NewReader(std::string_view name) const {
  return std::unique_ptr<KvReader>(new RocksReader(db_.get(), FindFamily(name)));
}

}  // namespace rotor::projections
