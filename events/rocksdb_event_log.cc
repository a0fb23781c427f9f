#include "events/rocksdb_event_log.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <span>
#include <unordered_map>

namespace rotor {
namespace {

constexpr char kFormatKey[] = "format";
// Format 2 indexes a stream by runs (one `streams` entry per append); format 1
// had one entry per event, which reads as runs of one, so it is upgraded in
// place by rewriting the marker.
constexpr char kFormatVersion[] = "2";
constexpr char kFormatVersion1[] = "1";
constexpr char kEventsCf[] = "events";
constexpr char kStreamsCf[] = "streams";
constexpr char kHeadsCf[] = "stream_heads";
constexpr char kIdempotencyCf[] = "idempotency";
// Upper bound on how long a leader waits for concurrent appenders to queue.
constexpr std::chrono::microseconds kMaxGatherWait{2000};

void PutBigEndian64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, 8);
}

uint64_t GetBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string StreamPrefix(std::string_view stream_id) {
  std::string key(stream_id);
  key.push_back('\0');
  return key;
}

std::string StreamKey(std::string_view stream_id, uint64_t version) {
  std::string key = StreamPrefix(stream_id);
  PutBigEndian64(&key, version);
  return key;
}

// A `streams` value: the run's first sequence, and its length when above 1.
std::string EncodeStreamRun(uint64_t first_sequence, uint64_t count) {
  std::string v;
  PutBigEndian64(&v, first_sequence);
  if (count > 1) PutBigEndian64(&v, count);
  return v;
}

std::string EncodeAppendResult(const AppendResult& r) {
  std::string v;
  PutBigEndian64(&v, r.first_sequence);
  PutBigEndian64(&v, r.last_sequence);
  PutBigEndian64(&v, r.stream_version);
  return v;
}

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(std::string(what) + ": " + s.ToString());
  return Status::IoError(std::string(what) + ": " + s.ToString());
}

// Events are written in key order and mostly read by forward scans: 16 KiB
// blocks; recent levels (L0, L1) uncompressed so that flushes and tail reads
// spend no CPU on it; deeper levels keep the build's default compression.
rocksdb::ColumnFamilyOptions EventsOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = 64 << 20;
  cf.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression, cf.compression};
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 << 10;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

rocksdb::ColumnFamilyOptions PointLookupOptions() {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.OptimizeForPointLookup(64);
  return cf;
}

}  // namespace

struct RocksDbEventLog::Writer {
  // results[i] is filled for each request i; a request that is already
  // refused (invalid) arrives with its result set and is skipped.
  std::span<const AppendRequest> requests;
  std::vector<std::optional<Result<AppendResult>>> results;
  size_t events = 0;  // of the requests still to write
  bool done = false;  // guarded by mu_
  std::condition_variable cv;
};

RocksDbEventLog::RocksDbEventLog(RocksDbEventLogOptions options) : options_(options) {}

RocksDbEventLog::~RocksDbEventLog() {
  Close();
  if (db_ != nullptr) {
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
  db_options.bytes_per_sync = 1 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {kEventsCf, EventsOptions()},
      {kStreamsCf, rocksdb::ColumnFamilyOptions()},
      {kHeadsCf, PointLookupOptions()},
      {kIdempotencyCf, PointLookupOptions()},
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
  std::unique_lock<std::mutex> lock(mu_);
  if (closed()) {
    for (auto& r : w.results) {
      if (!r.has_value()) r = Status::Cancelled("event log is closed");
    }
    return;
  }
  writers_.push_back(&w);
  queued_events_ += w.events;
  if (gathering_ != nullptr && GatherDone()) gathering_->cv.notify_one();
  while (!w.done && writers_.front() != &w) w.cv.wait(lock);
  if (w.done) return;

  // This writer leads: take every queued writer, up to the group bound.
  GatherWriters(lock, &w);
  std::vector<Writer*> group;
  size_t events = 0;
  for (Writer* x : writers_) {
    if (!group.empty() && events + x->events > options_.max_group_events) break;
    group.push_back(x);
    events += x->events;
  }
  lock.unlock();
  auto start = std::chrono::steady_clock::now();
  CommitGroup(group);
  lock.lock();
  gather_target_ = writers_.size();  // this group and everyone queued behind it
  last_commit_end_ = std::chrono::steady_clock::now();
  last_commit_ = last_commit_end_ - start;
  for (Writer* x : group) {
    writers_.pop_front();
    queued_events_ -= x->events;
    if (x != &w) {
      x->done = true;
      x->cv.notify_one();
    }
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
}

bool RocksDbEventLog::GatherDone() const {
  return writers_.size() >= gather_target_ || queued_events_ >= options_.max_group_events;
}

void RocksDbEventLog::GatherWriters(std::unique_lock<std::mutex>& lock, Writer* leader) {
  // The last group's appenders are on their way back: wait for them, or
  // groups alternate between the halves that queued during each other's sync.
  if (GatherDone()) return;
  auto now = std::chrono::steady_clock::now();
  auto bound = std::min<std::chrono::steady_clock::duration>(last_commit_ / 2, kMaxGatherWait);
  if (now - last_commit_end_ > bound) return;  // idle since: nobody is coming back
  gathering_ = leader;
  while (!GatherDone() && !closed()) {
    if (leader->cv.wait_until(lock, now + bound) == std::cv_status::timeout) break;
  }
  gathering_ = nullptr;
}

void RocksDbEventLog::CommitGroup(const std::vector<Writer*>& group) {
  rocksdb::WriteBatch batch;
  std::unordered_map<std::string, uint64_t> versions;       // this group's stream heads
  std::unordered_map<std::string, AppendResult> seen_keys;  // this group's idempotency keys
  std::vector<std::pair<uint64_t, std::string>> sealed;
  // Results that hold only if the batch is written: the appends in it, and
  // the answers to repeats of their idempotency keys within the group.
  std::vector<std::optional<Result<AppendResult>>*> pending;
  size_t appends = 0;
  uint64_t sequence = next_sequence_;
  Sha256Digest hash = last_hash_;
  rocksdb::ReadOptions ro;
  std::string value;
  std::string head_value;

  for (Writer* w : group) {
    for (size_t i = 0; i < w->requests.size(); ++i) {
      std::optional<Result<AppendResult>>& out = w->results[i];
      if (out.has_value()) continue;  // refused before it was queued
      const AppendRequest& req = w->requests[i];
      if (!req.idempotency_key.empty()) {
        auto seen = seen_keys.find(req.idempotency_key);
        if (seen != seen_keys.end()) {
          AppendResult dup = seen->second;
          dup.duplicate = true;
          out = dup;
          pending.push_back(&out);
          continue;
        }
        rocksdb::Status s = db_->Get(ro, idempotency_, req.idempotency_key, &value);
        if (s.ok() && value.size() == 24) {
          out = AppendResult{GetBigEndian64(value), GetBigEndian64(value.substr(8)),
                             GetBigEndian64(value.substr(16)), true};
          continue;
        }
        if (!s.ok() && !s.IsNotFound()) {
          out = FromRocks(s, "read idempotency key");
          continue;
        }
      }
      uint64_t current = 0;
      auto v = versions.find(req.stream_id);
      if (v != versions.end()) {
        current = v->second;
      } else {
        rocksdb::Status s = db_->Get(ro, heads_, req.stream_id, &value);
        if (s.ok() && value.size() == 8) {
          current = GetBigEndian64(value);
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
      sealed.clear();
      sealed.reserve(req.events.size());
      AppendResult result = SealAppend(req, sequence, current, &hash, &sealed);
      for (const auto& [seq, stored] : sealed) {
        batch.Put(events_, SequenceKey(seq), stored);  // 8-byte key: no allocation
      }
      // One index entry for the append's run of versions and sequences.
      batch.Put(streams_, StreamKey(req.stream_id, current + 1),
                EncodeStreamRun(result.first_sequence, sealed.size()));
      head_value.clear();
      PutBigEndian64(&head_value, result.stream_version);
      batch.Put(heads_, req.stream_id, head_value);
      if (!req.idempotency_key.empty()) {
        batch.Put(idempotency_, req.idempotency_key, EncodeAppendResult(result));
        seen_keys[req.idempotency_key] = result;
      }
      versions[req.stream_id] = result.stream_version;
      sequence = result.last_sequence + 1;
      out = result;
      pending.push_back(&out);
      ++appends;
    }
  }

  if (appends == 0) return;
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) {
    Status failure = FromRocks(s, "append");
    spdlog::error("event log write failed, {} appends refused: {}", appends, failure.ToString());
    for (std::optional<Result<AppendResult>>* out : pending) *out = failure;
    return;
  }
  next_sequence_ = sequence;
  last_hash_ = hash;
  group_commits_.fetch_add(1, std::memory_order_relaxed);
  grouped_requests_.fetch_add(appends, std::memory_order_relaxed);
  PublishHead(sequence - 1);
}

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

}  // namespace rotor
