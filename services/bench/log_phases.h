// The measured steps of `rotor-bench log`, each timed on the calling thread:
// batch appends and full reads, through RocksDbEventLog and through raw
// RocksDB on the same bytes, and a helper that runs concurrent appenders.
// Thread-compatible; RunThreads runs `work` on its own threads.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "services/bench/log_workload.h"

namespace rotor::bench {

// Wall-clock and calling-thread CPU seconds of one step.
struct Timing {
  double wall = 0;
  double cpu = 0;
};

// Raw RocksDB with its default options (plus create_if_missing): the baseline.
// Errors: kIoError.
Result<std::unique_ptr<rocksdb::DB>> OpenRaw(const std::string& path);

// Writes `records` in WriteBatches of `batch`, each with sync.
Result<Timing> RawBatchAppend(rocksdb::DB* db, const std::vector<StoredRecord>& records,
                              size_t batch);

// Appends `requests` in order; every append must succeed.
Result<Timing> RotorBatchAppend(EventLog* log, std::vector<AppendRequest> requests);

// True when the log stores exactly `records` (keys and values), in order.
Result<bool> SameBytes(const EventLog& log, const std::vector<StoredRecord>& records);

// Iterates the whole database, touching every key and value; expects `count` entries.
Result<Timing> RawRead(rocksdb::DB* db, uint64_t count);

// EventLog::ForEach from sequence 1, decoding every record; expects `count` events.
Result<Timing> RotorRead(const EventLog& log, uint64_t count);

// The disk's own limit: appends `bytes` bytes to a new file in `dir` and
// fdatasyncs it, `writes` times; returns the median seconds of one
// write+fdatasync. The file is removed afterwards. Errors: kIoError naming the
// file and the call that failed.
Result<double> MedianFsyncSeconds(const std::string& dir, size_t bytes, int writes);

// The least a group commit of `threads` concurrent appenders costs on this
// disk and these cores: each thread makes `per_thread` appends through the
// log's own GroupCommit queue, whose commit is one appending `write` of
// `bytes` per member to a new file in `dir` plus one fdatasync; no sealing,
// no RocksDB. Returns appends per second. The file is removed afterwards.
// Errors: kIoError naming the file and the call that failed.
Result<double> MinimalGroupCommitPerSecond(const std::string& dir, size_t bytes, size_t threads,
                                           size_t per_thread);

// Runs `work(t)` for t in [0, threads) on threads released together. Returns
// the wall-clock seconds until the last finished, or the first error.
Result<double> RunThreads(size_t threads, const std::function<Status(size_t)>& work);

}  // namespace rotor::bench
