// RocksDbProjectionStore's snapshots (docs/storage.md): in the family
// "~snapshots",
//   'm' name 0x00 BE64(sequence)              -> varint bytes, varint chunks
//   'd' name 0x00 BE64(sequence) BE32(chunk)  -> up to 1 MiB of the snapshot
// A snapshot is written as one table file that RocksDB ingests whole
// (IngestExternalFile), so it is either whole or absent, and its bytes pass
// through no write batch and no memtable: a snapshot of a large fleet adds
// only the file's block buffer to rotord's memory while it is written.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <filesystem>

#include "base/coding.h"
#include "events/rocksdb_keys.h"
#include "projections/encoding.h"
#include "projections/rocksdb_store.h"

namespace rotor::projections {
namespace {

using rocksdb_keys::FromRocks;

constexpr size_t kChunkBytes = 1 << 20;

std::string SnapshotKey(char kind, std::string_view name, uint64_t sequence) {
  std::string key(1, kind);
  key.append(name);
  key.push_back('\0');
  PutBigEndian64(&key, sequence);
  return key;
}

rocksdb::Slice AsSlice(std::string_view s) { return {s.data(), s.size()}; }

// Deletes every chunk of the snapshot at `sequence` (in `batch`).
void DeleteChunks(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family,
                  std::string_view name, uint64_t sequence) {
  std::string begin = SnapshotKey('d', name, sequence);
  std::string end = begin;
  PutBigEndian32(&end, UINT32_MAX);
  end.push_back('\0');
  batch.DeleteRange(family, begin, end);
}

}  // namespace

Status RocksDbProjectionStore::PutSnapshot(std::string_view name, uint64_t sequence,
                                           std::string_view bytes) {
  if (name.empty()) return Status::InvalidArgument("projection name is empty");
  Result<rocksdb::ColumnFamilyHandle*> family = Family(kSnapshotFamily);
  if (!family.ok()) return family.status();
  // A snapshot taken again at the same sequence replaces the earlier one.
  ROTOR_RETURN_IF_ERROR(DeleteSnapshot(name, sequence));
  // The chunks, then the index entry: the file's keys in order ('d' < 'm').
  // Uncompressed, as the chunks' blob files are: a snapshot is read whole.
  rocksdb::Options options(db_->GetDBOptions(), db_->GetOptions(*family));
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kNoCompression;
  options.compression_per_level.clear();
  static std::atomic<uint64_t> files{0};
  std::string file = (std::filesystem::path(db_->GetName()) /
                      (std::string(kSnapshotIngestPrefix) + std::to_string(sequence) + "-" +
                       std::to_string(files.fetch_add(1)) + ".sst"))
                         .string();
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, *family);
  rocksdb::Status s = writer.Open(file);
  uint32_t chunks = 0;
  for (size_t at = 0; s.ok() && at < bytes.size(); at += kChunkBytes, ++chunks) {
    std::string key = SnapshotKey('d', name, sequence);
    PutBigEndian32(&key, chunks);
    s = writer.Put(key, AsSlice(bytes.substr(at, kChunkBytes)));
  }
  std::string meta;
  PutVarint(&meta, bytes.size());
  PutVarint(&meta, chunks);
  if (s.ok()) s = writer.Put(SnapshotKey('m', name, sequence), meta);
  if (s.ok()) s = writer.Finish();  // syncs the file
  if (s.ok()) {
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    s = db_->IngestExternalFile(*family, {file}, ingest);
  }
  std::error_code ignored;
  std::filesystem::remove(file, ignored);  // moved when ingested; else what a failure left
  return FromRocks(s, "write projection snapshot");
}

Result<std::vector<uint64_t>> RocksDbProjectionStore::ListSnapshots(std::string_view name) const {
  std::vector<uint64_t> out;
  rocksdb::ColumnFamilyHandle* family = FindFamily(kSnapshotFamily);
  if (family == nullptr) return out;
  std::string prefix(1, 'm');
  prefix.append(name);
  prefix.push_back('\0');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 8) {
      return Status::Corruption("a snapshot key of '" + std::string(name) + "' is malformed");
    }
    out.push_back(GetBigEndian64(std::string_view(it->key().data() + prefix.size(), 8)));
  }
  ROTOR_RETURN_IF_ERROR(FromRocks(it->status(), "list projection snapshots"));
  return out;
}

Result<std::string> RocksDbProjectionStore::ReadSnapshot(std::string_view name,
                                                         uint64_t sequence) const {
  std::string what =
      "snapshot of '" + std::string(name) + "' at sequence " + std::to_string(sequence);
  rocksdb::ColumnFamilyHandle* family = FindFamily(kSnapshotFamily);
  if (family == nullptr) return Status::NotFound("no " + what);
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  // A snapshot carries a SHA-256 of its contents that is checked before use
  // (projections/snapshot.h): RocksDB's block checksums over the same bytes
  // would only repeat that check.
  ro.verify_checksums = false;
  std::string meta;
  rocksdb::Status s = db_->Get(ro, family, SnapshotKey('m', name, sequence), &meta);
  if (s.IsNotFound()) return Status::NotFound("no " + what);
  ROTOR_RETURN_IF_ERROR(FromRocks(s, "read " + what));
  uint64_t size = 0, chunks = 0, seen = 0;
  Reader r(meta);
  if (!r.Varint(&size) || !r.Varint(&chunks) || !r.done()) {
    return Status::Corruption(what + ": its index entry does not decode");
  }
  std::string out;
  out.reserve(size);
  std::string prefix = SnapshotKey('d', name, sequence);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, family));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out.append(it->value().data(), it->value().size());
    ++seen;
  }
  ROTOR_RETURN_IF_ERROR(FromRocks(it->status(), "read " + what));
  if (seen != chunks || out.size() != size) {
    return Status::Corruption(what + " holds " + std::to_string(out.size()) + " bytes in " +
                              std::to_string(seen) + " chunks; its index says " +
                              std::to_string(size) + " in " + std::to_string(chunks));
  }
  return out;
}

Status RocksDbProjectionStore::DeleteSnapshot(std::string_view name, uint64_t sequence) {
  rocksdb::ColumnFamilyHandle* family = FindFamily(kSnapshotFamily);
  if (family == nullptr) return Status::Ok();
  rocksdb::WriteBatch batch;
  DeleteChunks(batch, family, name, sequence);
  batch.Delete(family, SnapshotKey('m', name, sequence));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch), "delete projection snapshot");
}

}  // namespace rotor::projections
