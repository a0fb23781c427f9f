// StateSnapshots: durable snapshots of the deciders' state (DomainState), so
// that a start folds only the events after the newest one (docs/storage.md).
//
// One file per snapshot in its own directory (DATA/snapshots/state), named
// by the sequence it was taken at: "state-<20-digit sequence>.snap". A file
// holds a magic, the sequence, the SHA-256 hash of the log's record at that
// sequence, the encoded state (services/domain/state_codec.h) and a SHA-256
// of all that. It is written to a temporary file, fsynced, renamed and the
// directory fsynced, so a crash leaves the previous snapshots whole. The
// newest `keep` are kept.
//
// Load picks the newest snapshot that is whole (checksum), of this build's
// format, no later than the log's head, and whose hash matches the log's
// record at its sequence (a snapshot of another log, or of a log since cut or
// rewritten, does not); each one passed over is logged as a warning with the
// reason. None: the caller folds from sequence 1.
//
// Thread-compatible; Write and Load may run concurrently with appends.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "events/event_log.h"
#include "services/domain/state.h"

namespace rocksdb {
class FileSystem;
}

namespace rotor::app {

class StateSnapshots {
 public:
  // `fs`: RocksDB's default file system when null (tests pass a power-loss one).
  explicit StateSnapshots(std::string dir, size_t keep = 2,
                          std::shared_ptr<rocksdb::FileSystem> fs = nullptr);

  // Writes the snapshot of `encoded` (EncodeState of a state folded up to
  // `sequence`, whose record hash is `hash`) durably, then deletes older
  // snapshots beyond the newest `keep`. Errors: kIoError (nothing replaced).
  Status Write(uint64_t sequence, const Sha256Digest& hash, std::string_view encoded) const;
  // As Write, with the encoding in parts written one after another
  // (StateEncoder::Parts).
  Status Write(uint64_t sequence, const Sha256Digest& hash,
               std::span<const std::string_view> encoded) const;

  // The newest usable snapshot's state (see above); nullopt when none is.
  // Errors: kIoError when the directory cannot be listed.
  Result<std::optional<domain::DomainState>> Load(const EventLog& log) const;

  // Sequences of the stored snapshot files, newest first.
  Result<std::vector<uint64_t>> List() const;
  // The path of the snapshot taken at `sequence`.
  std::string PathOf(uint64_t sequence) const;

 private:
  // The state in `path` if usable; else the reason it is not.
  Result<domain::DomainState> Read(const std::string& path, uint64_t sequence,
                                   const EventLog& log) const;

  std::string dir_;
  size_t keep_;
  std::shared_ptr<rocksdb::FileSystem> fs_;
};

}  // namespace rotor::app
