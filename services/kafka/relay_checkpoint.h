// RelayCheckpointFile: the event relay's durable position, a one-line file
// kept next to the event log's directory (never inside it).
//
// The position is the last sequence S such that the broker acknowledged every
// event 1..S, with that event's hash so that a checkpoint is never applied to
// a different log. Store() replaces the file atomically: it writes a
// temporary file, fsyncs it, renames it over the old one and fsyncs the
// directory, so after a crash the file holds either the old or the new
// position, never a torn one.
//
// File format (docs/kafka.md): "rotor-relay-checkpoint 1 <sequence> <hash hex>\n".
//
// The file is read and written through a RocksDB FileSystem (the real disk
// by default), so that tests can run it on one that simulates power loss
// (tests/testing/power_loss_fs.h).
//
// Thread-compatible: one relay owns a file; two relays must not share one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/hash.h"
#include "base/status.h"

namespace rocksdb {
class FileSystem;
}  // namespace rocksdb

namespace rotor::kafka {

struct RelayPosition {
  uint64_t sequence = 0;  // 0: nothing published yet
  Sha256Digest hash{};    // the hash of event `sequence` (zero when sequence is 0)
  bool operator==(const RelayPosition&) const = default;
};

inline constexpr char kRelayCheckpointMagic[] = "rotor-relay-checkpoint";

class RelayCheckpointFile {
 public:
  // `fs`: the file system to use; nullptr: the real disk (FileSystem::Default()).
  // `magic`: the first word of the file, naming what the position is of
  // (the checkpoint publisher keeps its own file with another).
  explicit RelayCheckpointFile(std::string path, std::shared_ptr<rocksdb::FileSystem> fs = nullptr,
                               std::string magic = kRelayCheckpointMagic);

  // Reads the stored position; {0} when the file does not exist. Errors:
  // kCorruption naming the file when its contents do not parse, kIoError.
  Result<RelayPosition> Load() const;

  // Durably replaces the stored position (temp + fsync + rename + fsync dir).
  // Errors: kIoError naming the path and the OS error.
  Status Store(const RelayPosition& position) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::shared_ptr<rocksdb::FileSystem> fs_;
  std::string magic_;
};

}  // namespace rotor::kafka
