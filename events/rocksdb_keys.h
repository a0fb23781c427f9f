// The key and value encodings of RocksDbEventLog's column families
// (docs/storage.md), shared by its write path (rocksdb_event_log.cc) and read
// path (rocksdb_event_log_read.cc); FromRocks also serves the projection store.
// Stateless.
#pragma once

#include <rocksdb/options.h>
#include <rocksdb/status.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/coding.h"
#include "base/status.h"
#include "events/event_log.h"

namespace rotor::rocksdb_keys {

// `streams` keys: stream_id 0x00, then BE64(first version of the run).
// The Append* forms append the same bytes to `out` (the write path reuses
// its buffers).
std::string StreamPrefix(std::string_view stream_id);
std::string StreamKey(std::string_view stream_id, uint64_t version);
void AppendStreamKey(std::string* out, std::string_view stream_id, uint64_t version);
// A `streams` value: the run's first sequence, and its length when above 1.
std::string EncodeStreamRun(uint64_t first_sequence, uint64_t count);
void AppendStreamRun(std::string* out, uint64_t first_sequence, uint64_t count);
// An `idempotency` value: BE64 first, last, stream version.
std::string EncodeAppendResult(const AppendResult& r);
void AppendAppendResult(std::string* out, const AppendResult& r);

// Sets how every database of a node (event log, projections, Merkle tree)
// writes its table files: back to disk every 1 MiB while they are written,
// and waiting when more than that is still in flight (bytes_per_sync,
// strict_bytes_per_sync). A flush or compaction then never leaves megabytes
// of dirty pages for the next fsync of the event log's WAL to wait behind:
// the databases share one ext4 journal, and a journal commit writes out the
// data of newly allocated blocks first (docs/performance.md, the CSR p99).
// Durability is unchanged: WAL writes and their fsyncs are not affected.
void PaceTableWrites(rocksdb::DBOptions& options);

// A RocksDB status as Rotor's: kCorruption or kIoError prefixed with `what`.
Status FromRocks(const rocksdb::Status& s, std::string_view what);

}  // namespace rotor::rocksdb_keys
