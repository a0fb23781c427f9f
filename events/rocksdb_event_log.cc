#include "events/rocksdb_event_log.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <unordered_map>

#include "events/group_batch.h"
#include "events/rocksdb_keys.h"

namespace rotor {
namespace {

using rocksdb_keys::AppendAppendResult;
using rocksdb_keys::AppendStreamKey;
using rocksdb_keys::AppendStreamRun;
using rocksdb_keys::FromRocks;

constexpr char kFormatKey[] = "format";
// Format 2 indexes a stream by runs (one `streams` entry per append); format 1
// had one entry per event, which reads as runs of one, so it is upgraded in
// place by rewriting the marker.
constexpr char kFormatVersion[] = "2";
constexpr char kFormatVersion1[] = "1";
constexpr char kEventsCf[] = "events";
constexpr uint64_t kMaxTotalWalBytes = 128 << 20;
constexpr size_t kMemtableBudgetBytes = 64 << 20;
constexpr size_t kLookupCacheBytes = 32 << 20;
constexpr char kStreamsCf[] = "streams";
constexpr char kHeadsCf[] = "stream_heads";
constexpr char kIdempotencyCf[] = "idempotency";

uint64_t Nanos(std::chrono::steady_clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

// ZSTD when this RocksDB build has it, else the build's default.
rocksdb::CompressionType DenseCompression(rocksdb::CompressionType fallback) {
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  bool zstd = std::find(supported.begin(), supported.end(), rocksdb::kZSTD) != supported.end();
  return zstd ? rocksdb::kZSTD : fallback;
}

// Events are written in key order and mostly read by forward scans: 16 KiB
// blocks; recent levels (L0, L1) uncompressed so that flushes and tail reads
// spend no CPU on it; deeper levels keep the build's default compression; the
// bottommost level, where the bulk of an old log ends up, ZSTD (about 4.7x
// smaller on a fleet's reports: docs/performance.md). Compression is per
// block inside RocksDB's files: records, keys and the chain are unchanged,
// and files written before are read as they are.
rocksdb::ColumnFamilyOptions EventsOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = 64 << 20;
  cf.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression, cf.compression};
  cf.bottommost_compression = DenseCompression(cf.compression);
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 << 10;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

// The index column families (`streams`, `stream_heads`, `idempotency`) get
// a group's keys in key order (SortedPuts), spread over the whole key space.
// RocksDB's plain memtable insert reuses the previous insert's position only
// when the new key is right next to it, and otherwise descends the skip list
// from the top; an insert with a hint (one hint for every key: a prefix of
// length 0) climbs from the previous position only as far as the distance
// needs. In memory only: the files are the same.
rocksdb::ColumnFamilyOptions IndexOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
  return cf;
}

// The stream heads and idempotency keys are read by key: bloom filters, a
// hash index in each data block and whole-key memtable filters (what
// OptimizeForPointLookup sets), over one block cache the two share, so the
// log's memory does not grow with a cache per column family.
rocksdb::ColumnFamilyOptions PointLookupOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf = IndexOptions();
  rocksdb::BlockBasedTableOptions table;
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  table.data_block_hash_table_util_ratio = 0.75;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = cache;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.memtable_prefix_bloom_size_ratio = 0.02;
  cf.memtable_whole_key_filtering = true;
  return cf;
}

}  // namespace

// One appender's requests in the group commit queue; `events` (of the
// requests still to write) is the Member's.
struct RocksDbEventLog::Writer : GroupCommit::Member {
  // results[i] is filled for each request i; a request that is already
  // refused (invalid) arrives with its result set and is skipped.
  std::span<const AppendRequest> requests;
  std::vector<std::optional<Result<AppendResult>>> results;
};

RocksDbEventLog::RocksDbEventLog(RocksDbEventLogOptions options)
    : options_(options),
      group_(options.max_group_events,
             [this](const std::vector<GroupCommit::Member*>& group) { CommitGroup(group); }) {}

RocksDbEventLog::~RocksDbEventLog() {
  Close();
  if (db_ != nullptr) {
    // A clean close leaves no WAL to replay: the next open is faster and
    // does not rebuild the memtables.
    rocksdb::Status flushed = db_->Flush(rocksdb::FlushOptions(), handles_);
    if (!flushed.ok()) spdlog::warn("flushing event log at close: {}", flushed.ToString());
    for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
    rocksdb::Status s = db_->Close();
    if (!s.ok()) spdlog::warn("closing event log: {}", s.ToString());
  }
}

std::string RocksDbEventLog::SequenceKey(uint64_t sequence) {
  std::string key;
  PutBigEndian64(&key, sequence);
  return key;
}

Result<std::unique_ptr<RocksDbEventLog>> RocksDbEventLog::Open(const std::string& path,
                                                               RocksDbEventLogOptions options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  rocksdb_keys::PaceTableWrites(db_options);
  // Bounds the WAL a start replays after a crash (docs/storage.md): past this
  // total, RocksDB flushes the column families that hold the oldest WAL file
  // (the small ones would otherwise keep every WAL file alive).
  db_options.max_total_wal_size = kMaxTotalWalBytes;
  // One memory budget for every column family's memtables (peak memory
  // during ingest; docs/storage.md).
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(kMemtableBudgetBytes);
  std::shared_ptr<rocksdb::Cache> lookup_cache = rocksdb::NewLRUCache(kLookupCacheBytes);
  if (options.env != nullptr) db_options.env = options.env;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {kEventsCf, EventsOptions()},
      {kStreamsCf, IndexOptions()},
      {kHeadsCf, PointLookupOptions(lookup_cache)},
      {kIdempotencyCf, PointLookupOptions(lookup_cache)},
  };
  std::unique_ptr<RocksDbEventLog> log(new RocksDbEventLog(options));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, path, cfs, &log->handles_, &raw);
  if (!s.ok()) return FromRocks(s, "open event log at " + path);
  log->db_.reset(raw);
  log->events_ = log->handles_[1];
  log->streams_ = log->handles_[2];
  log->heads_ = log->handles_[3];
  log->idempotency_ = log->handles_[4];
  log->group_batch_ = std::make_unique<GroupBatch>(log->streams_, log->heads_, log->idempotency_);

  std::string format;
  s = raw->Get(rocksdb::ReadOptions(), log->handles_[0], kFormatKey, &format);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = raw->Put(wo, log->handles_[0], kFormatKey, kFormatVersion);
    if (!s.ok()) return FromRocks(s, "write format marker");
  } else if (!s.ok()) {
    return FromRocks(s, "read format marker");
  } else if (format == kFormatVersion1) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = raw->Put(wo, log->handles_[0], kFormatKey, kFormatVersion);
    if (!s.ok()) return FromRocks(s, "upgrade format marker");
  } else if (format != kFormatVersion) {
    return Status::Corruption("event log at " + path + " has format '" + format +
                              "', this build reads format " + kFormatVersion);
  }

  // Recover the head and the chain's last hash from the last record.
  std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions(), log->events_));
  it->SeekToLast();
  if (it->Valid()) {
    rocksdb::Slice key = it->key();
    if (key.size() != 8) {
      return Status::Corruption("events key of " + std::to_string(key.size()) + " bytes");
    }
    uint64_t head = GetBigEndian64(std::string_view(key.data(), 8));
    RecordedEvent last;
    ROTOR_RETURN_IF_ERROR(DecodeStoredRecord(
        head, std::string_view(it->value().data(), it->value().size()), &last, HashCheck::kVerify));
    log->next_sequence_ = head + 1;
    log->last_hash_ = last.hash;
    log->PublishHead(head);
  } else if (!it->status().ok()) {
    return FromRocks(it->status(), "read last event");
  }
  return log;
}

Result<AppendResult> RocksDbEventLog::Append(AppendRequest request) {
  ROTOR_RETURN_IF_ERROR(ValidateAppendRequest(request));
  Writer w;
  w.requests = std::span<const AppendRequest>(&request, 1);
  w.results.resize(1);
  w.events = request.events.size();
  Enqueue(w);
  return std::move(*w.results[0]);
}

std::vector<Result<AppendResult>> RocksDbEventLog::AppendEach(std::vector<AppendRequest> requests) {
  Writer w;
  w.requests = requests;
  w.results.resize(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    Status valid = ValidateAppendRequest(requests[i]);
    if (valid.ok()) {
      w.events += requests[i].events.size();
    } else {
      w.results[i] = std::move(valid);
    }
  }
  if (w.events > 0) Enqueue(w);
  std::vector<Result<AppendResult>> results;
  results.reserve(requests.size());
  for (auto& r : w.results) results.push_back(std::move(*r));
  return results;
}

void RocksDbEventLog::Enqueue(Writer& w) {
  if (closed()) {
    for (auto& r : w.results) {
      if (!r.has_value()) r = Status::Cancelled("event log is closed");
    }
    return;
  }
  group_.Join(w);
}

size_t RocksDbEventLog::queued_appenders() const { return group_.in_flight(); }

void RocksDbEventLog::CommitGroup(const std::vector<GroupCommit::Member*>& group) {
  auto start = std::chrono::steady_clock::now();
  GroupBatch& g = *group_batch_;
  struct ResetAtEnd {
    GroupBatch& g;
    ~ResetAtEnd() { g.Reset(); }
  } reset_at_end{g};
  size_t appends = 0;
  uint64_t sequence = next_sequence_;
  Sha256Digest hash = last_hash_;
  rocksdb::ReadOptions ro;

  for (GroupCommit::Member* member : group) {
    auto* w = static_cast<Writer*>(member);
    for (size_t i = 0; i < w->requests.size(); ++i) {
      std::optional<Result<AppendResult>>& out = w->results[i];
      if (out.has_value()) continue;  // refused before it was queued
      const AppendRequest& req = w->requests[i];
      if (!req.idempotency_key.empty()) {
        auto seen = g.seen_keys.find(req.idempotency_key);
        if (seen != g.seen_keys.end()) {
          AppendResult dup = seen->second;
          dup.duplicate = true;
          out = dup;
          g.pending.push_back(&out);
          continue;
        }
        rocksdb::Status s = db_->Get(ro, idempotency_, req.idempotency_key, &g.value);
        if (s.ok() && g.value.size() == 24) {
          std::string_view stored = g.value;
          out = AppendResult{GetBigEndian64(stored), GetBigEndian64(stored.substr(8)),
                             GetBigEndian64(stored.substr(16)), true};
          continue;
        }
        if (!s.ok() && !s.IsNotFound()) {
          out = FromRocks(s, "read idempotency key");
          continue;
        }
      }
      uint64_t current = 0;
      auto v = g.versions.find(req.stream_id);
      if (v != g.versions.end()) {
        current = v->second;
      } else {
        rocksdb::Status s = db_->Get(ro, heads_, req.stream_id, &g.value);
        if (s.ok() && g.value.size() == 8) {
          current = GetBigEndian64(g.value);
        } else if (!s.ok() && !s.IsNotFound()) {
          out = FromRocks(s, "read stream head");
          continue;
        }
      }
      Status check = req.expected.Check(req.stream_id, current);
      if (!check.ok()) {
        out = check;
        continue;
      }
      g.sealed.clear();
      g.sealed.reserve(req.events.size());
      AppendResult result = SealAppend(req, sequence, current, &hash, &g.sealed);
      for (const auto& [seq, stored] : g.sealed) {
        g.batch.Put(events_, SequenceKey(seq), stored);  // 8-byte key: no allocation
      }
      // One index entry for the append's run of versions and sequences.
      g.key_bytes.clear();
      g.value_bytes.clear();
      AppendStreamKey(&g.key_bytes, req.stream_id, current + 1);
      AppendStreamRun(&g.value_bytes, result.first_sequence, g.sealed.size());
      g.streams.Add(g.key_bytes, g.value_bytes);
      if (!req.idempotency_key.empty()) {
        g.value_bytes.clear();
        AppendAppendResult(&g.value_bytes, result);
        g.keys.Add(req.idempotency_key, g.value_bytes);
        g.seen_keys[req.idempotency_key] = result;
      }
      g.versions[req.stream_id] = result.stream_version;
      sequence = result.last_sequence + 1;
      out = result;
      g.pending.push_back(&out);
      ++appends;
    }
  }

  if (appends == 0) return;
  for (const auto& [stream_id, version] : g.versions) {  // each stream's head after the group
    g.value_bytes.clear();
    PutBigEndian64(&g.value_bytes, version);
    g.heads.Add(stream_id, g.value_bytes);
  }
  g.streams.WriteTo(&g.batch);
  g.heads.WriteTo(&g.batch);
  g.keys.WriteTo(&g.batch);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  auto sealed_at = std::chrono::steady_clock::now();
  rocksdb::Status s = db_->Write(wo, &g.batch);
  auto written_at = std::chrono::steady_clock::now();
  if (!s.ok()) {
    Status failure = FromRocks(s, "append");
    spdlog::error("event log write failed, {} appends refused: {}", appends, failure.ToString());
    for (std::optional<Result<AppendResult>>* out : g.pending) *out = failure;
    return;
  }
  next_sequence_ = sequence;
  last_hash_ = hash;
  group_commits_.fetch_add(1, std::memory_order_relaxed);
  grouped_requests_.fetch_add(appends, std::memory_order_relaxed);
  seal_nanos_.fetch_add(Nanos(sealed_at - start), std::memory_order_relaxed);
  write_nanos_.fetch_add(Nanos(written_at - sealed_at), std::memory_order_relaxed);
  PublishHead(sequence - 1);
}

}  // namespace rotor
