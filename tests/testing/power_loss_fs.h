// PowerLossFileSystem: a RocksDB FileSystem for tests that simulates a power
// loss, the way LevelDB's fault_injection_test and RocksDB's FaultInjectionTestFS
// do. It passes every call to the real (default) file system and records what
// is durable: for each file, its length at its last Sync/Fsync; for each
// directory, its entries at its last directory fsync. At a crash point
// (CrashAfter: after N more mutating operations, chosen at random by the
// tests) it stops: that operation and every later write, sync, creation,
// rename or deletion fail with an IOError and change nothing. After the
// process under test has closed its files, DropUnsynced() makes the disk look
// like it would after the power came back: files are cut to their synced
// length, entries created since their directory's last fsync are removed,
// and entries renamed over or deleted since then are put back (from copies
// kept in `shadow_dir`).
//
// What the model does not cover: directories themselves (their creation is
// taken as durable), files opened with NewRandomRWFile or ReuseWritableFile
// (refused with NotSupported), and files written behind its back (left alone).
// Files that existed before the first call are taken as durable.
//
// Ownership: wraps FileSystem::Default(); `shadow_dir` must exist on the same
// file system as the files under test, and belongs to this object.
// Thread safety: all methods are safe to call concurrently (one mutex, held
// across each mutating call, so the crash point is a point in one order).
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace rotor::testing {

class PowerLossFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit PowerLossFileSystem(std::string shadow_dir);

  static const char* kClassName() { return "PowerLossFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // The crash happens at the `ops`-th mutating operation from now (1: the
  // next one). 0 disarms.
  void CrashAfter(uint64_t ops);
  // The crash happens now.
  void Crash();
  bool crashed() const;
  // Mutating operations performed since construction.
  uint64_t operations() const;

  // Undoes everything that was not made durable, then works normally again
  // (disarmed). Call it only when nothing has a file of this file system open
  // (the database is closed). Errors: IOError naming the file.
  rocksdb::IOStatus DropUnsynced();

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& s, const std::string& t,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& s, const std::string& t,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& f, size_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& d, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& d, const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& d, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;

  // Used by the file and directory wrappers (see power_loss_fs.cc).
  struct Inode {
    uint64_t size = 0;    // bytes written
    uint64_t synced = 0;  // bytes durable
  };
  // Counts a mutating operation; false (and the crash) when it is the crash point.
  bool Step();
  rocksdb::IOStatus Dead() const;
  std::mutex& mu() { return mu_; }
  Inode& inode(uint64_t id) { return inodes_[id]; }
  // Holding mu_: the directory's entries become durable.
  void SyncDirectory(const std::string& dir);

 private:
  // Holding mu_: a new tracked inode for path `f` (replacing its old entry).
  uint64_t Track(const std::string& f, uint64_t size, uint64_t synced);
  // Holding mu_: keeps the durable content of the file at `f` in the shadow
  // directory before its entry is removed or its data cut (copy: true).
  rocksdb::IOStatus Preserve(const std::string& f, bool copy);
  bool IsDurable(uint64_t id) const;
  std::string ShadowPath(uint64_t id) const;
  // Wraps a writable file opened on the target for inode `id`.
  std::unique_ptr<rocksdb::FSWritableFile> Wrap(std::unique_ptr<rocksdb::FSWritableFile> file,
                                                uint64_t id);

  const std::string shadow_dir_;
  mutable std::mutex mu_;
  uint64_t countdown_ = 0;  // guarded by mu_; 0: disarmed
  bool dead_ = false;       // guarded by mu_
  uint64_t operations_ = 0;
  uint64_t next_inode_ = 1;
  std::map<uint64_t, Inode> inodes_;
  std::map<std::string, uint64_t> live_;                            // path -> inode
  std::map<std::string, std::map<std::string, uint64_t>> durable_;  // dir -> name -> inode
  std::set<uint64_t> shadowed_;                                     // inodes kept in shadow_dir_
};

}  // namespace rotor::testing
