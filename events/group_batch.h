// GroupBatch: what one group commit of RocksDbEventLog builds (the
// WriteBatch, the index entries, the group's stream heads and idempotency
// keys), kept from one group to the next. A group of a thousand reports
// writes a WriteBatch of about a megabyte; built afresh each time, it grows
// by copying and lands on pages the allocator has just returned to the
// system, so every group paid for page faults and copies that a reused
// buffer does not. Reset keeps the buffers' capacity unless a group made one
// larger than kKeepBytes (an import's large group gives its memory back).
//
// Internal to the events library. Not thread-safe: the current group's
// leader owns it (GroupCommit runs one commit at a time).
#pragma once

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "events/event_log.h"

namespace rotor {

// Puts to one column family, added in any order and written to a WriteBatch
// in key order. A memtable insert starts its search where the previous one
// ended, so a group's index entries in key order cost a few comparisons each
// instead of a full descent of the skip list. A stable sort keeps repeated
// keys in the order they were added, so the last one still wins. Keys and
// values are copied into one buffer: a group's thousands of entries cost no
// allocation each.
class SortedPuts {
 public:
  explicit SortedPuts(rocksdb::ColumnFamilyHandle* cf) : cf_(cf) {}
  void Add(std::string_view key, std::string_view value);
  void WriteTo(rocksdb::WriteBatch* batch);
  // Forgets the puts; keeps the buffers unless one is over `keep_bytes`.
  void Reset(size_t keep_bytes);

 private:
  struct Put {
    size_t at;  // of the key in bytes_, the value right after it
    size_t key_size;
    size_t value_size;
  };
  std::string_view Key(const Put& p) const {
    return std::string_view{bytes_}.substr(p.at, p.key_size);
  }
  rocksdb::ColumnFamilyHandle* cf_;
  std::string bytes_;
  std::vector<Put> puts_;
  std::vector<const Put*> order_;  // WriteTo's sort, kept for its capacity
};

struct GroupBatch {
  static constexpr size_t kKeepBytes = size_t{4} << 20;

  GroupBatch(rocksdb::ColumnFamilyHandle* streams_cf, rocksdb::ColumnFamilyHandle* heads_cf,
             rocksdb::ColumnFamilyHandle* keys_cf)
      : streams(streams_cf), heads(heads_cf), keys(keys_cf) {}

  // Empties everything for the next group (see the file comment).
  void Reset();

  rocksdb::WriteBatch batch;
  // This group's stream heads and idempotency keys, keyed by the requests'
  // own strings (the appenders wait in Join until their group is written).
  std::unordered_map<std::string_view, uint64_t> versions;
  std::unordered_map<std::string_view, AppendResult> seen_keys;
  // Results that hold only if the batch is written: the appends in it, and
  // the answers to repeats of their idempotency keys within the group.
  std::vector<std::optional<Result<AppendResult>>*> pending;
  // One append's sealed events.
  std::vector<std::pair<uint64_t, std::string>> sealed;
  // Index entries of the `streams`, `stream_heads` and `idempotency` column
  // families, written in key order after the events.
  SortedPuts streams, heads, keys;
  std::string value;                   // a RocksDB Get's
  std::string key_bytes, value_bytes;  // an index entry
};

}  // namespace rotor
