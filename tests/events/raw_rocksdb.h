// RawRocksDb: opens an event log's RocksDB directory directly, with every
// column family, so tests can read and tamper with stored records behind the
// log's back. The log must be closed first. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "events/rocksdb_event_log.h"

namespace rotor::testing {

class RawRocksDb {
 public:
  explicit RawRocksDb(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "events", "streams", "stream_heads", "idempotency"}) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~RawRocksDb() {
    if (db_ == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* h : handles_)
      db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
  RawRocksDb(const RawRocksDb&) = delete;
  RawRocksDb& operator=(const RawRocksDb&) = delete;

  bool ok() const { return db_ != nullptr; }
  rocksdb::DB* db() const { return db_.get(); }
  // 0 default, 1 events, 2 streams, 3 stream_heads, 4 idempotency.
  rocksdb::ColumnFamilyHandle* handle(int i) const { return handles_[i]; }
  rocksdb::ColumnFamilyHandle* default_cf() const { return handles_[0]; }
  rocksdb::ColumnFamilyHandle* events() const { return handles_[1]; }

  // The stored value of `sequence` (hash || canonical envelope).
  std::string GetEvent(uint64_t sequence) {
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), events(), RocksDbEventLog::SequenceKey(sequence), &value);
    EXPECT_TRUE(s.ok()) << "sequence " << sequence << ": " << s.ToString();
    return value;
  }
  void PutEvent(uint64_t sequence, const std::string& value) {
    rocksdb::Status s =
        db_->Put(rocksdb::WriteOptions(), events(), RocksDbEventLog::SequenceKey(sequence), value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void DeleteEvent(uint64_t sequence) {
    rocksdb::Status s =
        db_->Delete(rocksdb::WriteOptions(), events(), RocksDbEventLog::SequenceKey(sequence));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void Put(rocksdb::ColumnFamilyHandle* cf, const std::string& key, const std::string& value) {
    rocksdb::Status s = db_->Put(rocksdb::WriteOptions(), cf, key, value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

 private:
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace rotor::testing
