// RocksDbEventLog's read path: scans, the stream index, point reads. The
// write path (open, group commit) is rocksdb_event_log.cc. CompactAll is
// here too: it only rewrites files.
#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "events/rocksdb_event_log.h"
#include "events/rocksdb_keys.h"

namespace rotor {

using rocksdb_keys::FromRocks;
using rocksdb_keys::StreamKey;
using rocksdb_keys::StreamPrefix;

Status RocksDbEventLog::ScanStored(
    uint64_t from, Direction direction,
    const std::function<bool(uint64_t, std::string_view)>& visit) const {
  rocksdb::ReadOptions ro;
  if (direction == Direction::kForward) {  // long scans: read ahead, leave the cache alone
    ro.readahead_size = 2 << 20;
    ro.fill_cache = false;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
  if (direction == Direction::kForward) {
    it->Seek(SequenceKey(from));
  } else {
    it->SeekForPrev(SequenceKey(from));
  }
  for (; it->Valid(); direction == Direction::kForward ? it->Next() : it->Prev()) {
    rocksdb::Slice key = it->key();
    if (key.size() != 8) {
      return Status::Corruption(
          "events key of " + std::to_string(key.size()) +
          " bytes (want 8): " + ToHex(std::string_view(key.data(), key.size())));
    }
    uint64_t seq = GetBigEndian64(std::string_view(key.data(), 8));
    if (!visit(seq, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromRocks(it->status(), "scan events");
}

Status RocksDbEventLog::StreamSequences(std::string_view stream_id, uint64_t from_version,
                                        size_t max, std::vector<uint64_t>* out) const {
  out->clear();
  if (stream_id.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("stream id contains a NUL byte");
  }
  if (max == 0) return Status::Ok();
  from_version = std::max<uint64_t>(from_version, 1);
  std::string prefix = StreamPrefix(stream_id);
  auto in_stream = [&](const rocksdb::Slice& key) {
    return key.size() == prefix.size() + 8 && key.starts_with(prefix);
  };
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams_));
  // The run holding `from_version` starts at or before it.
  std::string target = StreamKey(stream_id, from_version);
  it->SeekForPrev(target);
  if (!it->Valid() || !in_stream(it->key())) it->Seek(target);
  for (; it->Valid() && out->size() < max; it->Next()) {
    rocksdb::Slice key = it->key();
    if (!in_stream(key)) break;
    rocksdb::Slice value = it->value();
    if (value.size() != 8 && value.size() != 16) {
      return Status::Corruption("stream '" + std::string(stream_id) + "' index value of " +
                                std::to_string(value.size()) + " bytes");
    }
    uint64_t first_version = GetBigEndian64(std::string_view(key.data() + prefix.size(), 8));
    uint64_t first_sequence = GetBigEndian64(std::string_view(value.data(), 8));
    uint64_t count = value.size() == 16 ? GetBigEndian64(std::string_view(value.data() + 8, 8)) : 1;
    if (first_version == 0 || count == 0 || count > kMaxEventsPerAppend) {
      return Status::Corruption("stream '" + std::string(stream_id) + "' index entry at version " +
                                std::to_string(first_version) + " holds " + std::to_string(count) +
                                " events");
    }
    for (uint64_t v = std::max(first_version, from_version);
         v < first_version + count && out->size() < max; ++v) {
      out->push_back(first_sequence + (v - first_version));
    }
  }
  return FromRocks(it->status(), "read stream index");
}

Status RocksDbEventLog::ReadOne(uint64_t sequence, RecordedEvent* out) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), events_, SequenceKey(sequence), &value);
  if (s.IsNotFound()) {
    return Status::NotFound("sequence " + std::to_string(sequence) + " is not in the log");
  }
  ROTOR_RETURN_IF_ERROR(FromRocks(s, "read sequence " + std::to_string(sequence)));
  return DecodeStoredRecord(sequence, value, out);
}

Result<uint64_t> RocksDbEventLog::StreamVersion(std::string_view stream_id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), heads_,
                               rocksdb::Slice(stream_id.data(), stream_id.size()), &value);
  if (s.IsNotFound()) return uint64_t{0};
  ROTOR_RETURN_IF_ERROR(FromRocks(s, "read stream head"));
  if (value.size() != 8) {
    return Status::Corruption("stream '" + std::string(stream_id) + "' head of " +
                              std::to_string(value.size()) + " bytes");
  }
  return GetBigEndian64(value);
}

// A full compaction must see every file where it is. Without this, the
// flush below could start a background compaction that moves a level-0 file
// to level 1 by renaming it (a trivial move), after the manual compaction
// had planned its levels: that file stayed in the last level as written, in
// level 0's format (uncompressed), and bytes_on_disk_per_event measured
// 140 instead of 66 in most runs. So: no automatic compactions from here to
// the end, and the ones already running finish before the plan is made.
Status RocksDbEventLog::CompactAll() {
  auto set_auto = [&](const char* disabled) {
    Status result;
    for (rocksdb::ColumnFamilyHandle* cf : handles_) {
      Status s = FromRocks(db_->SetOptions(cf, {{"disable_auto_compactions", disabled}}),
                           "disable_auto_compactions=" + std::string(disabled));
      if (result.ok()) result = s;
    }
    return result;
  };
  ROTOR_RETURN_IF_ERROR(set_auto("true"));
  Status compacted = CompactAllPlanned();
  Status restored = set_auto("false");
  return compacted.ok() ? restored : compacted;
}

Status RocksDbEventLog::CompactAllPlanned() {
  ROTOR_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), "flush"));
  for (uint64_t running = 1; running > 0;) {
    if (!db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &running)) break;
    if (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* cf : handles_) {
    ROTOR_RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(options, cf, nullptr, nullptr), "compact " + cf->GetName()));
  }
  return Status::Ok();
}

}  // namespace rotor
