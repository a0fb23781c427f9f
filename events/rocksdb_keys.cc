#include "events/rocksdb_keys.h"

namespace rotor::rocksdb_keys {

std::string StreamPrefix(std::string_view stream_id) {
  std::string key(stream_id);
  key.push_back('\0');
  return key;
}

void AppendStreamKey(std::string* out, std::string_view stream_id, uint64_t version) {
  out->append(stream_id);
  out->push_back('\0');
  PutBigEndian64(out, version);
}

std::string StreamKey(std::string_view stream_id, uint64_t version) {
  std::string key;
  AppendStreamKey(&key, stream_id, version);
  return key;
}

void AppendStreamRun(std::string* out, uint64_t first_sequence, uint64_t count) {
  PutBigEndian64(out, first_sequence);
  if (count > 1) PutBigEndian64(out, count);
}

std::string EncodeStreamRun(uint64_t first_sequence, uint64_t count) {
  std::string v;
  AppendStreamRun(&v, first_sequence, count);
  return v;
}

void AppendAppendResult(std::string* out, const AppendResult& r) {
  PutBigEndian64(out, r.first_sequence);
  PutBigEndian64(out, r.last_sequence);
  PutBigEndian64(out, r.stream_version);
}

std::string EncodeAppendResult(const AppendResult& r) {
  std::string v;
  AppendAppendResult(&v, r);
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
