// Projection snapshots for as-of queries (docs/storage.md, "Snapshots").
//
// A snapshot is a copy of one projection's committed state in the
// ProjectionStore at one sequence, taken by the runner right after it
// committed that sequence (RunnerOptions::snapshot_every_events). Its bytes
// carry a format version, the projection's name, the checkpoint it belongs to
// (sequence, recorded_at, the event's hash) and a SHA-256 of everything after
// the digest. Before an as-of query uses one it checks, in order: the format
// version, the digest, the name, and the event's hash against the log's record
// at that sequence. A snapshot that fails any check is skipped with a warning
// and an older one (or the start of the log) is used: never a wrong answer.
//
// Old snapshots are thinned (SnapshotsToThin): the newest `dense` are all
// kept, older ones ever more sparsely.
//
// Thread safety: free functions; SnapshotReader is immutable after decoding.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event_log.h"
#include "projections/fold.h"
#include "projections/projection.h"
#include "projections/store.h"

namespace rotor::projections {

// The snapshot layout this build writes and reads. Bump it when the layout,
// or the stored encoding of any projection (fleet_persist.cc,
// audit_projection.cc), changes: older snapshots are then ignored.
inline constexpr uint64_t kSnapshotFormat = 1;

// A decoded snapshot whose digest checked out: the checkpoint it belongs to,
// and its entries (sorted by key) readable as the projection's key space.
class SnapshotReader final : public KvReader {
 public:
  const std::string& name() const { return name_; }
  const Checkpoint& checkpoint() const { return checkpoint_; }
  size_t entries() const { return entries_.size(); }

  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  std::string LastKey(std::string_view prefix) const override;

 private:
  friend Result<std::unique_ptr<SnapshotReader>> DecodeSnapshot(std::string bytes);
  std::string bytes_;  // the entries point into it
  std::string name_;
  Checkpoint checkpoint_;
  std::vector<std::pair<std::string_view, std::string_view>> entries_;
};

// The snapshot of projection `name` at `at`, holding every key of `state`
// except the runner's ('~...'). Errors: from `state`'s Scan.
Result<std::string> EncodeSnapshot(std::string_view name, const Checkpoint& at,
                                   const KvReader& state);

// Decodes and checks `bytes`. Errors: kFailedPrecondition (another format
// version), kCorruption (not a snapshot, digest mismatch, malformed entries).
Result<std::unique_ptr<SnapshotReader>> DecodeSnapshot(std::string bytes);

// Copies `state`, a reader of the committed state of projection `name` in
// `store` taken when it was at `at` (ProjectionStore::NewReader: a
// point-in-time view), into a snapshot at `at.sequence`. Returns the
// snapshot's size in bytes. Errors: from the store.
Result<size_t> TakeSnapshot(ProjectionStore& store, std::string_view name, const Checkpoint& at,
                            const KvReader& state);

// Thinning: which of `sequences` (ascending) to delete so that the newest
// `dense` snapshots stay, and a snapshot `age` snapshots older than the newest
// stays only while its index (sequence / every) is a multiple of 2^k, where
// k = floor(log2(age / dense)) + 1. Older snapshots are spaced at most about
// age / (dense / 2) apart; a snapshot once deleted would never be kept again.
std::vector<uint64_t> SnapshotsToThin(std::span<const uint64_t> sequences, uint64_t every,
                                      size_t dense);

// Thins `name`'s snapshots in `store` (SnapshotsToThin). Errors: from the store.
Status ThinSnapshots(ProjectionStore& store, std::string_view name, uint64_t every, size_t dense);

// Loads into `projection` the newest of its snapshots in `store` at or before
// `limit` (by sequence, and by the recorded_at of its sequence in `log`) that
// checks out (see above) and that `fits` accepts once loaded (null: any), and
// returns its checkpoint. Sequence 0: none did (the projection is then
// cleared). Each snapshot skipped is logged with the reason. Never fails: a
// snapshot that cannot be read is skipped.
Checkpoint LoadNewestSnapshot(const EventLog& log, const ProjectionStore& store,
                              const FoldLimit& limit, Projection* projection,
                              const std::function<bool()>& fits = nullptr);

}  // namespace rotor::projections
