#include "services/kafka/relay_checkpoint.h"

#include <rocksdb/file_system.h>

#include <cstdio>
#include <sstream>

namespace rotor::kafka {
namespace {

Status IoError(const std::string& what, const std::string& path, const rocksdb::IOStatus& s) {
  return Status::IoError(what + " " + path + ": " + s.ToString());
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

RelayCheckpointFile::RelayCheckpointFile(std::string path, std::shared_ptr<rocksdb::FileSystem> fs,
                                         std::string magic)
    : path_(std::move(path)),
      fs_(fs != nullptr ? std::move(fs) : rocksdb::FileSystem::Default()),
      magic_(std::move(magic)) {}

Result<RelayPosition> RelayCheckpointFile::Load() const {
  rocksdb::IOOptions io;
  rocksdb::IOStatus exists = fs_->FileExists(path_, io, nullptr);
  if (exists.IsNotFound()) return RelayPosition{};
  std::string text;
  rocksdb::IOStatus read = rocksdb::ReadFileToString(fs_.get(), path_, &text);
  if (!read.ok()) return IoError("read", path_, read);
  std::string line = text.substr(0, text.find('\n'));
  std::istringstream fields(line);
  std::string magic, hash_hex;
  int version = 0;
  RelayPosition position;
  Status corrupt = Status::Corruption(path_ + ": cannot parse '" + line + "' (want '" + magic_ +
                                      " 1 <sequence> <sha256 hex>')");
  if (!(fields >> magic >> version >> position.sequence >> hash_hex) || magic != magic_ ||
      version != 1 || !Sha256FromHex(hash_hex, &position.hash)) {
    return corrupt;
  }
  return position;
}

Status RelayCheckpointFile::Store(const RelayPosition& position) const {
  std::string tmp = path_ + ".tmp";
  std::string text =
      magic_ + " 1 " + std::to_string(position.sequence) + " " + ToHex(position.hash) + "\n";
  rocksdb::IOOptions io;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = fs_->NewWritableFile(tmp, rocksdb::FileOptions(), &file, nullptr);
  if (!s.ok()) return IoError("create", tmp, s);
  s = file->Append(text, io, nullptr);
  if (s.ok()) s = file->Fsync(io, nullptr);
  rocksdb::IOStatus closed = file->Close(io, nullptr);
  if (s.ok()) s = closed;
  if (!s.ok()) return IoError("write", tmp, s);
  s = fs_->RenameFile(tmp, path_, io, nullptr);
  if (!s.ok()) return IoError("rename to", path_, s);
  std::string dir = DirectoryOf(path_);
  std::unique_ptr<rocksdb::FSDirectory> directory;
  s = fs_->NewDirectory(dir, io, &directory, nullptr);
  if (s.ok()) s = directory->Fsync(io, nullptr);
  if (s.ok()) s = directory->Close(io, nullptr);
  if (!s.ok()) return IoError("fsync directory", dir, s);
  return Status::Ok();
}

}  // namespace rotor::kafka
