// RocksDbEventLog: the product's event log, embedded RocksDB on local disk.
//
// Column families (docs/storage.md):
//   events        BE64(sequence)                -> hash(32) || canonical envelope
//   streams       stream_id 0x00 BE64(version)  -> BE64(sequence)
//   stream_heads  stream_id                     -> BE64(version)
//   idempotency   key                           -> BE64(first) BE64(last) BE64(version)
//   default       "format"                      -> format version
//
// Durability and group commit: appenders queue in a GroupCommit
// (events/group_commit.h); a group's leader seals every queued request into
// one WriteBatch, writes it with sync=true (one fsync for the whole group)
// and wakes the others with one broadcast. An Append that returned success
// is on disk.
//
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "events/group_commit.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace rotor {

struct GroupBatch;

struct RocksDbEventLogOptions {
  // fsync every group commit. Only benchmarks of the engine's raw speed turn it off.
  bool sync = true;
  // Bound on events sealed into one group commit.
  size_t max_group_events = 16384;
  // The RocksDB Env to open the log with; nullptr: the default (the real
  // disk). Not owned; must outlive the log. Tests inject a file system that
  // simulates power loss (tests/testing/power_loss_fs.h).
  rocksdb::Env* env = nullptr;
};

class RocksDbEventLog final : public EventLog {
 public:
  // Opens (creating if missing) the log in directory `path`. Errors:
  // kIoError (cannot open, locked by another process), kCorruption (the last
  // record does not decode).
  static Result<std::unique_ptr<RocksDbEventLog>> Open(const std::string& path,
                                                       RocksDbEventLogOptions options = {});
  ~RocksDbEventLog() override;

  Result<AppendResult> Append(AppendRequest request) override;
  // One writer in the group commit queue for all of `requests`: one synced
  // WriteBatch (or the group's) carries them.
  std::vector<Result<AppendResult>> AppendEach(std::vector<AppendRequest> requests) override;
  Status ScanStored(uint64_t from, Direction direction,
                    const std::function<bool(uint64_t, std::string_view)>& visit) const override;
  Status StreamSequences(std::string_view stream_id, uint64_t from_version, size_t max,
                         std::vector<uint64_t>* out) const override;
  Status ReadOne(uint64_t sequence, RecordedEvent* out) const override;
  Result<uint64_t> StreamVersion(std::string_view stream_id) const override;

  // Flushes the memtables and compacts every column family down to its last
  // level (each file rewritten once, with the final level's compression):
  // what bytes_on_disk figures are measured after. Automatic compactions
  // wait until it returns. Reads and appends may run meanwhile. Errors:
  // kIoError.
  Status CompactAll();

  // The key of `sequence` in the events column family (big-endian).
  static std::string SequenceKey(uint64_t sequence);

  // Group commits performed and requests they carried (for metrics and the benchmark).
  uint64_t group_commits() const { return group_commits_.load(std::memory_order_relaxed); }
  uint64_t grouped_requests() const { return grouped_requests_.load(std::memory_order_relaxed); }
  // Nanoseconds the written group commits spent sealing (reading stream
  // heads and idempotency keys, encoding, hashing, building the batch) and
  // in RocksDB's Write (the WAL, its fsync, the memtables), summed.
  uint64_t seal_nanos() const { return seal_nanos_.load(std::memory_order_relaxed); }
  uint64_t write_nanos() const { return write_nanos_.load(std::memory_order_relaxed); }
  // Appenders queued for a group commit now, the leader's included (tests use
  // it to act once appenders are queued, instead of sleeping).
  size_t queued_appenders() const;

 private:
  struct Writer;

  explicit RocksDbEventLog(RocksDbEventLogOptions options);
  // Queues `w` for a group commit; returns when w's results are filled.
  void Enqueue(Writer& w);
  // A group's leader: seals and writes the requests of `group` (Writers);
  // fills their results.
  void CommitGroup(const std::vector<GroupCommit::Member*>& group);
  // CompactAll's work once automatic compactions are off: flush, wait for
  // the compactions still running, compact. Errors: kIoError.
  Status CompactAllPlanned();

  RocksDbEventLogOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_ = nullptr;
  rocksdb::ColumnFamilyHandle* heads_ = nullptr;
  rocksdb::ColumnFamilyHandle* idempotency_ = nullptr;

  GroupCommit group_;
  // Owned by the current group's leader (one at a time, ordered by group_).
  std::unique_ptr<GroupBatch> group_batch_;
  uint64_t next_sequence_ = 1;
  Sha256Digest last_hash_{};

  std::atomic<uint64_t> group_commits_{0};
  std::atomic<uint64_t> grouped_requests_{0};
  std::atomic<uint64_t> seal_nanos_{0};
  std::atomic<uint64_t> write_nanos_{0};
};

}  // namespace rotor
