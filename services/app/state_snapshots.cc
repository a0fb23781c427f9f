#include "services/app/state_snapshots.h"

#include <rocksdb/file_system.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/sha256_parts.h"
#include "services/domain/state_codec.h"

namespace rotor::app {
namespace {

constexpr std::string_view kMagic = "RotorSS1";  // 8 bytes
constexpr std::string_view kPrefix = "state-";
constexpr std::string_view kSuffix = ".snap";
constexpr size_t kSequenceDigits = 20;
constexpr size_t kHeaderSize = 8 + 8 + kHashSize;  // magic, sequence, record hash

spdlog::logger& Logger() {
  static const std::shared_ptr<spdlog::logger> logger =
      spdlog::default_logger()->clone("snapshots");
  return *logger;
}

Status IoError(const std::string& what, const std::string& path, const rocksdb::IOStatus& s) {
  return Status::IoError(what + " " + path + ": " + s.ToString());
}

void PutFixed64(std::string& out, uint64_t v) {
  char buf[8];
  std::memcpy(buf, &v, 8);
  out.append(buf, 8);
}

uint64_t GetFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// The sequence in a snapshot file's name; nullopt for other files.
std::optional<uint64_t> SequenceOf(std::string_view name) {
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix) ||
      name.size() != kPrefix.size() + kSequenceDigits + kSuffix.size()) {
    return std::nullopt;
  }
  uint64_t sequence = 0;
  for (char c : name.substr(kPrefix.size(), kSequenceDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    sequence = sequence * 10 + static_cast<uint64_t>(c - '0');
  }
  return sequence;
}

}  // namespace

StateSnapshots::StateSnapshots(std::string dir, size_t keep,
                               std::shared_ptr<rocksdb::FileSystem> fs)
    : dir_(std::move(dir)),
      keep_(std::max<size_t>(keep, 1)),
      fs_(fs != nullptr ? std::move(fs) : rocksdb::FileSystem::Default()) {}

std::string StateSnapshots::PathOf(uint64_t sequence) const {
  char digits[kSequenceDigits + 1];
  std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(sequence));
  return dir_ + "/" + std::string(kPrefix) + digits + std::string(kSuffix);
}

Result<std::vector<uint64_t>> StateSnapshots::List() const {
  rocksdb::IOOptions io;
  std::vector<std::string> names;
  rocksdb::IOStatus s = fs_->GetChildren(dir_, io, &names, nullptr);
  if (s.IsNotFound()) return std::vector<uint64_t>{};
  if (!s.ok()) return IoError("list", dir_, s);
  std::vector<uint64_t> sequences;
  for (const std::string& name : names) {
    if (std::optional<uint64_t> sequence = SequenceOf(name)) sequences.push_back(*sequence);
  }
  std::sort(sequences.rbegin(), sequences.rend());
  return sequences;
}

Status StateSnapshots::Write(uint64_t sequence, const Sha256Digest& hash,
                             std::string_view encoded) const {
  const std::string_view parts[] = {encoded};
  return Write(sequence, hash, parts);
}

Status StateSnapshots::Write(uint64_t sequence, const Sha256Digest& hash,
                             std::span<const std::string_view> encoded) const {
  rocksdb::IOOptions io;
  // The directory and its parent (DATA/snapshots/state).
  size_t slash = dir_.find_last_of('/');
  rocksdb::IOStatus s = slash == std::string::npos || slash == 0
                            ? rocksdb::IOStatus::OK()
                            : fs_->CreateDirIfMissing(dir_.substr(0, slash), io, nullptr);
  if (s.ok()) s = fs_->CreateDirIfMissing(dir_, io, nullptr);
  if (!s.ok()) return IoError("create", dir_, s);
  std::string head(kMagic);
  PutFixed64(head, sequence);
  head.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  std::vector<std::string_view> summed = {head};
  summed.insert(summed.end(), encoded.begin(), encoded.end());
  Sha256Digest sum = Sha256OfParts(summed);
  std::string path = PathOf(sequence);
  std::string tmp = path + ".tmp";
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = fs_->NewWritableFile(tmp, rocksdb::FileOptions(), &file, nullptr);
  if (!s.ok()) return IoError("create", tmp, s);
  for (std::string_view part : summed) {
    if (s.ok()) s = file->Append(rocksdb::Slice(part.data(), part.size()), io, nullptr);
  }
  if (s.ok()) {
    s = file->Append(rocksdb::Slice(reinterpret_cast<const char*>(sum.data()), sum.size()), io,
                     nullptr);
  }
  if (s.ok()) s = file->Fsync(io, nullptr);
  rocksdb::IOStatus closed = file->Close(io, nullptr);
  if (s.ok()) s = closed;
  if (!s.ok()) return IoError("write", tmp, s);
  s = fs_->RenameFile(tmp, path, io, nullptr);
  if (!s.ok()) return IoError("rename to", path, s);
  std::unique_ptr<rocksdb::FSDirectory> directory;
  s = fs_->NewDirectory(dir_, io, &directory, nullptr);
  if (s.ok()) s = directory->Fsync(io, nullptr);
  if (s.ok()) s = directory->Close(io, nullptr);
  if (!s.ok()) return IoError("fsync directory", dir_, s);
  Result<std::vector<uint64_t>> sequences = List();
  if (sequences.ok()) {
    for (size_t i = keep_; i < sequences->size(); ++i) {
      (void)fs_->DeleteFile(PathOf((*sequences)[i]), io, nullptr);
    }
  }
  return Status::Ok();
}

Result<domain::DomainState> StateSnapshots::Read(const std::string& path, uint64_t sequence,
                                                 const EventLog& log) const {
  if (sequence > log.Head()) {
    return Status::FailedPrecondition("taken at sequence " + std::to_string(sequence) +
                                      ", after the log's head " + std::to_string(log.Head()));
  }
  std::string bytes;
  rocksdb::IOStatus s = rocksdb::ReadFileToString(fs_.get(), path, &bytes);
  if (!s.ok()) return IoError("read", path, s);
  if (bytes.size() < kHeaderSize + kHashSize || bytes.compare(0, 8, kMagic) != 0) {
    return Status::Corruption("not a state snapshot (short, or no magic)");
  }
  std::string_view body(bytes.data(), bytes.size() - kHashSize);
  Sha256Digest sum = Sha256(body);
  if (std::memcmp(sum.data(), bytes.data() + body.size(), kHashSize) != 0) {
    return Status::Corruption("checksum mismatch (damaged file)");
  }
  if (GetFixed64(bytes.data() + 8) != sequence) {
    return Status::Corruption("holds sequence " + std::to_string(GetFixed64(bytes.data() + 8)));
  }
  RecordedEvent record;
  Status found = log.ReadOne(sequence, &record);
  if (!found.ok()) return found.WithContext("the log's record " + std::to_string(sequence));
  if (std::memcmp(record.hash.data(), bytes.data() + 16, kHashSize) != 0) {
    return Status::FailedPrecondition("the log's record " + std::to_string(sequence) +
                                      " has another hash: a snapshot of another log");
  }
  Result<domain::DomainState> state = domain::DecodeState(body.substr(kHeaderSize));
  if (state.ok() && state->last_sequence != sequence) {
    return Status::Corruption("its state is at sequence " + std::to_string(state->last_sequence));
  }
  return state;
}

Result<std::optional<domain::DomainState>> StateSnapshots::Load(const EventLog& log) const {
  Result<std::vector<uint64_t>> sequences = List();
  if (!sequences.ok()) return sequences.status();
  for (uint64_t sequence : *sequences) {
    std::string path = PathOf(sequence);
    Result<domain::DomainState> state = Read(path, sequence, log);
    if (state.ok()) return std::optional<domain::DomainState>(std::move(*state));
    Logger().warn("state snapshot {} not used: {}", path, state.status().ToString());
  }
  return std::optional<domain::DomainState>();
}

}  // namespace rotor::app
