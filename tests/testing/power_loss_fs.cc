#include "tests/testing/power_loss_fs.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

namespace rotor::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// "a//b/c/" -> "a/b/c": RocksDB names a directory and the files in it by
// string, so both sides must be spelt alike.
std::string Normalize(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string DirOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

IOStatus OsError(const std::string& what, const std::string& path) {
  return IOStatus::IOError("power loss simulation: " + what + " " + path + ": " +
                           std::strerror(errno));
}

// Copies the first `length` bytes of `from` to a new file `to`.
IOStatus CopyPrefix(const std::string& from, const std::string& to, uint64_t length) {
  std::ifstream in(from, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.eof() && in.fail()) return OsError("read", from);
  bytes.resize(std::min<uint64_t>(length, bytes.size()));
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out.flush()) return OsError("write", to);
  return IOStatus::OK();
}

// A writable file whose writes and syncs the file system records.
class File final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(std::unique_ptr<rocksdb::FSWritableFile> target, PowerLossFileSystem* fs, uint64_t id)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), id_(id) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* dbg) override {
    return Write(data.size(), [&] { return target()->Append(data, o, dbg); });
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    return Write(data.size(), [&] { return target()->Append(data, o, info, dbg); });
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(fs_->mu());
    if (!fs_->Step()) return fs_->Dead();
    IOStatus s = target()->PositionedAppend(data, offset, o, dbg);
    if (s.ok()) {
      auto& inode = fs_->inode(id_);
      inode.size = std::max<uint64_t>(inode.size, offset + data.size());
    }
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo&, IODebugContext* dbg) override {
    return PositionedAppend(data, offset, o, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(fs_->mu());
    if (!fs_->Step()) return fs_->Dead();
    IOStatus s = target()->Truncate(size, o, dbg);
    if (s.ok()) {
      auto& inode = fs_->inode(id_);
      inode.size = size;
      inode.synced = std::min(inode.synced, size);
    }
    return s;
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    return Durable([&] { return target()->Sync(o, dbg); });
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    return Durable([&] { return target()->Fsync(o, dbg); });
  }
  // sync_file_range makes nothing durable: the data is written, not the size.
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& o,
                     IODebugContext* dbg) override {
    return Pass([&] { return target()->RangeSync(offset, nbytes, o, dbg); });
  }
  IOStatus Flush(const IOOptions& o, IODebugContext* dbg) override {
    return Pass([&] { return target()->Flush(o, dbg); });
  }
  IOStatus Allocate(uint64_t offset, uint64_t len, const IOOptions& o,
                    IODebugContext* dbg) override {
    return Pass([&] { return target()->Allocate(offset, len, o, dbg); });
  }

 private:
  template <typename F>
  IOStatus Write(size_t bytes, F&& write) {
    std::lock_guard<std::mutex> lock(fs_->mu());
    if (!fs_->Step()) return fs_->Dead();
    IOStatus s = write();
    if (s.ok()) fs_->inode(id_).size += bytes;
    return s;
  }
  template <typename F>
  IOStatus Durable(F&& sync) {
    std::lock_guard<std::mutex> lock(fs_->mu());
    if (!fs_->Step()) return fs_->Dead();
    IOStatus s = sync();
    if (s.ok()) fs_->inode(id_).synced = fs_->inode(id_).size;
    return s;
  }
  template <typename F>
  IOStatus Pass(F&& call) {
    std::lock_guard<std::mutex> lock(fs_->mu());
    if (!fs_->Step()) return fs_->Dead();
    return call();
  }

  PowerLossFileSystem* fs_;
  uint64_t id_;
};

// A directory whose fsync makes its entries durable.
class Directory final : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(std::unique_ptr<rocksdb::FSDirectory> target, PowerLossFileSystem* fs, std::string path)
      : FSDirectoryWrapper(std::move(target)), fs_(fs), path_(std::move(path)) {}

  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    return Sync([&] { return FSDirectoryWrapper::Fsync(o, dbg); });
  }
  IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& d) override {
    return Sync([&] { return FSDirectoryWrapper::FsyncWithDirOptions(o, dbg, d); });
  }

 private:
  template <typename F>
  IOStatus Sync(F&& sync) {
    std::lock_guard<std::mutex> lock(fs_->mu());
    if (!fs_->Step()) return fs_->Dead();
    IOStatus s = sync();
    if (s.ok()) fs_->SyncDirectory(path_);
    return s;
  }

  PowerLossFileSystem* fs_;
  std::string path_;
};

}  // namespace

PowerLossFileSystem::PowerLossFileSystem(std::string shadow_dir)
    : FileSystemWrapper(rocksdb::FileSystem::Default()), shadow_dir_(std::move(shadow_dir)) {}

void PowerLossFileSystem::CrashAfter(uint64_t ops) {
  std::lock_guard<std::mutex> lock(mu_);
  countdown_ = ops;
}

void PowerLossFileSystem::Crash() {
  std::lock_guard<std::mutex> lock(mu_);
  dead_ = true;
}

bool PowerLossFileSystem::crashed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dead_;
}

uint64_t PowerLossFileSystem::operations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return operations_;
}

bool PowerLossFileSystem::Step() {
  if (dead_) return false;
  if (countdown_ > 0 && --countdown_ == 0) {
    dead_ = true;
    return false;
  }
  ++operations_;
  return true;
}

IOStatus PowerLossFileSystem::Dead() const { return IOStatus::IOError("simulated power loss"); }

void PowerLossFileSystem::SyncDirectory(const std::string& dir) {
  std::string d = Normalize(dir);
  std::map<std::string, uint64_t>& entries = durable_[d];
  entries.clear();
  for (const auto& [path, id] : live_) {
    if (DirOf(path) == d) entries[BaseOf(path)] = id;
  }
}

uint64_t PowerLossFileSystem::Track(const std::string& f, uint64_t size, uint64_t synced) {
  uint64_t id = next_inode_++;
  inodes_[id] = Inode{size, synced};
  live_[f] = id;
  return id;
}

bool PowerLossFileSystem::IsDurable(uint64_t id) const {
  for (const auto& [dir, entries] : durable_) {
    for (const auto& [name, inode] : entries) {
      if (inode == id) return true;
    }
  }
  return false;
}

std::string PowerLossFileSystem::ShadowPath(uint64_t id) const {
  return shadow_dir_ + "/" + std::to_string(id);
}

IOStatus PowerLossFileSystem::Preserve(const std::string& f, bool copy) {
  auto it = live_.find(f);
  if (it == live_.end() && Exists(f)) {
    // A file from before this file system was used: durable as it is.
    uint64_t size = 0;
    IOStatus s = target()->GetFileSize(f, IOOptions(), &size, nullptr);
    if (!s.ok()) return s;
    uint64_t id = Track(f, size, size);
    durable_[DirOf(f)][BaseOf(f)] = id;
    it = live_.find(f);
  }
  if (it == live_.end()) return IOStatus::OK();
  uint64_t id = it->second;
  if (!IsDurable(id) || shadowed_.count(id) > 0) return IOStatus::OK();
  if (copy) {
    IOStatus s = CopyPrefix(f, ShadowPath(id), inodes_[id].synced);
    if (!s.ok()) return s;
  } else if (::link(f.c_str(), ShadowPath(id).c_str()) != 0) {
    return OsError("link", f);
  }
  shadowed_.insert(id);
  return IOStatus::OK();
}

std::unique_ptr<rocksdb::FSWritableFile> PowerLossFileSystem::Wrap(
    std::unique_ptr<rocksdb::FSWritableFile> file, uint64_t id) {
  return std::make_unique<File>(std::move(file), this, id);
}

IOStatus PowerLossFileSystem::NewWritableFile(const std::string& name,
                                              const rocksdb::FileOptions& o,
                                              std::unique_ptr<rocksdb::FSWritableFile>* r,
                                              IODebugContext* dbg) {
  std::string f = Normalize(name);
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  IOStatus s = Preserve(f, /*copy=*/true);  // the file is truncated in place
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = target()->NewWritableFile(f, o, &file, dbg);
  if (!s.ok()) return s;
  *r = Wrap(std::move(file), Track(f, 0, 0));
  return s;
}

IOStatus PowerLossFileSystem::ReopenWritableFile(const std::string& name,
                                                 const rocksdb::FileOptions& o,
                                                 std::unique_ptr<rocksdb::FSWritableFile>* r,
                                                 IODebugContext* dbg) {
  std::string f = Normalize(name);
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  IOStatus s = Preserve(f, /*copy=*/false);  // adopts a file from before
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = target()->ReopenWritableFile(f, o, &file, dbg);
  if (!s.ok()) return s;
  auto it = live_.find(f);
  uint64_t id = it != live_.end() ? it->second : Track(f, 0, 0);
  *r = Wrap(std::move(file), id);
  return s;
}

IOStatus PowerLossFileSystem::ReuseWritableFile(const std::string&, const std::string&,
                                                const rocksdb::FileOptions&,
                                                std::unique_ptr<rocksdb::FSWritableFile>*,
                                                IODebugContext*) {
  return IOStatus::NotSupported("PowerLossFileSystem: ReuseWritableFile");
}

IOStatus PowerLossFileSystem::NewRandomRWFile(const std::string&, const rocksdb::FileOptions&,
                                              std::unique_ptr<rocksdb::FSRandomRWFile>*,
                                              IODebugContext*) {
  return IOStatus::NotSupported("PowerLossFileSystem: NewRandomRWFile");
}

IOStatus PowerLossFileSystem::NewDirectory(const std::string& name, const IOOptions& o,
                                           std::unique_ptr<rocksdb::FSDirectory>* r,
                                           IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  IOStatus s = target()->NewDirectory(name, o, &dir, dbg);
  if (s.ok()) *r = std::make_unique<Directory>(std::move(dir), this, Normalize(name));
  return s;
}

IOStatus PowerLossFileSystem::DeleteFile(const std::string& name, const IOOptions& o,
                                         IODebugContext* dbg) {
  std::string f = Normalize(name);
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  IOStatus s = Preserve(f, /*copy=*/false);
  if (!s.ok()) return s;
  s = target()->DeleteFile(f, o, dbg);
  if (s.ok()) live_.erase(f);
  return s;
}

IOStatus PowerLossFileSystem::RenameFile(const std::string& from, const std::string& to,
                                         const IOOptions& o, IODebugContext* dbg) {
  std::string s_path = Normalize(from);
  std::string t_path = Normalize(to);
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  IOStatus s = Preserve(s_path, /*copy=*/false);
  if (s.ok()) s = Preserve(t_path, /*copy=*/false);
  if (!s.ok()) return s;
  s = target()->RenameFile(s_path, t_path, o, dbg);
  if (!s.ok()) return s;
  auto it = live_.find(s_path);
  if (it != live_.end()) {
    live_[t_path] = it->second;
    live_.erase(s_path);
  } else {
    live_.erase(t_path);
  }
  return s;
}

IOStatus PowerLossFileSystem::LinkFile(const std::string& from, const std::string& to,
                                       const IOOptions& o, IODebugContext* dbg) {
  std::string s_path = Normalize(from);
  std::string t_path = Normalize(to);
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  IOStatus s = Preserve(s_path, /*copy=*/false);
  if (!s.ok()) return s;
  s = target()->LinkFile(s_path, t_path, o, dbg);
  if (s.ok() && live_.count(s_path) > 0) live_[t_path] = live_[s_path];
  return s;
}

IOStatus PowerLossFileSystem::Truncate(const std::string& name, size_t size, const IOOptions& o,
                                       IODebugContext* dbg) {
  std::string f = Normalize(name);
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  IOStatus s = target()->Truncate(f, size, o, dbg);
  auto it = live_.find(f);
  if (s.ok() && it != live_.end()) {
    Inode& inode = inodes_[it->second];
    inode.size = size;
    inode.synced = std::min<uint64_t>(inode.synced, size);
  }
  return s;
}

IOStatus PowerLossFileSystem::CreateDir(const std::string& d, const IOOptions& o,
                                        IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  return target()->CreateDir(d, o, dbg);
}

IOStatus PowerLossFileSystem::CreateDirIfMissing(const std::string& d, const IOOptions& o,
                                                 IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  return target()->CreateDirIfMissing(d, o, dbg);
}

IOStatus PowerLossFileSystem::DeleteDir(const std::string& d, const IOOptions& o,
                                        IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Step()) return Dead();
  return target()->DeleteDir(d, o, dbg);
}

IOStatus PowerLossFileSystem::DropUnsynced() {
  std::lock_guard<std::mutex> lock(mu_);
  // 1. Every inode that a durable entry names gets a link in the shadow directory.
  for (const auto& [dir, entries] : durable_) {
    for (const auto& [name, id] : entries) {
      if (shadowed_.count(id) > 0) continue;
      auto live = std::find_if(live_.begin(), live_.end(),
                               [id = id](const auto& entry) { return entry.second == id; });
      if (live == live_.end()) return OsError("no copy of durable file", dir + "/" + name);
      if (::link(live->first.c_str(), ShadowPath(id).c_str()) != 0) {
        return OsError("link", live->first);
      }
      shadowed_.insert(id);
    }
  }
  // 2. Every entry made since the last crash goes.
  for (const auto& [path, id] : live_) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return OsError("unlink", path);
  }
  // 3. The durable entries come back, cut to their synced length.
  std::map<std::string, uint64_t> restored;
  for (const auto& [dir, entries] : durable_) {
    for (const auto& [name, id] : entries) {
      std::string path = dir + "/" + name;
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) return OsError("unlink", path);
      if (::link(ShadowPath(id).c_str(), path.c_str()) != 0) return OsError("link", path);
      if (::truncate(path.c_str(), static_cast<off_t>(inodes_[id].synced)) != 0) {
        return OsError("truncate", path);
      }
      restored[path] = id;
    }
  }
  for (uint64_t id : shadowed_) {
    if (::unlink(ShadowPath(id).c_str()) != 0) return OsError("unlink", ShadowPath(id));
  }
  shadowed_.clear();
  live_ = std::move(restored);
  for (auto& [id, inode] : inodes_) inode.size = inode.synced;
  dead_ = false;
  countdown_ = 0;
  return IOStatus::OK();
}

}  // namespace rotor::testing
