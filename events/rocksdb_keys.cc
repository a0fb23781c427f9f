#include "events/rocksdb_keys.h"

namespace rotor::rocksdb_keys {

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

void PaceTableWrites(rocksdb::DBOptions& options) {
  options.bytes_per_sync = 1 << 20;
  options.strict_bytes_per_sync = true;
}

}  // namespace rotor::rocksdb_keys
