// ProjectionRunner: keeps one projection up to date with the log and durable
// in a ProjectionStore.
//
// It follows the log with a CatchUpSubscription, applies each batch to the
// projection, and commits the entries the batch changed together with the
// checkpoint (the batch's last sequence and hash) in ONE store batch. After a
// crash, Open() loads exactly the state of the last commit and the
// subscription resumes after its checkpoint: no event is counted twice or
// lost. A gap in the sequence stops the runner with kInternal (never skipped);
// lag() says how far behind the head it is, in events and seconds of log time.
//
// Snapshots for as-of queries are encoded and written by a thread of their
// own, from a point-in-time reader of the committed state taken on the
// runner's thread, so that taking one does not stall the projection; at most
// one is in flight (the next waits for it), and CatchUp and Stop wait for it.
//
// Thread safety: Open, CatchUp, Run and Rebuild are called from one thread (or
// by Start's thread); Stop, Read, checkpoint, lag, status and the counters may
// be called from any thread. Read holds a shared lock while applying a batch
// holds it exclusively, so a reader never sees half a batch.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "events/event_log.h"
#include "events/subscription.h"
#include "projections/event_decoder.h"
#include "projections/projection.h"
#include "projections/store.h"

namespace rotor::projections {

struct RunnerOptions {
  // Events per batch (and per commit).
  size_t batch_size = 4096;
  // How long Run waits for an append before checking Stop.
  std::chrono::milliseconds wait{200};
  // Called after each durable commit, outside the lock (metrics, tests).
  std::function<void(const Checkpoint&)> on_commit = nullptr;
  // At every sequence that is a multiple of this, the runner commits and then
  // copies the committed state into a snapshot for as-of queries
  // (projections/snapshot.h) and thins the older ones. 0: no snapshots.
  uint64_t snapshot_every_events = 0;
  // Thinning: the newest this many snapshots are all kept, and older ones
  // stay at most about age / (snapshots_dense / 2) apart (SnapshotsToThin),
  // so an as-of query folds at most about 1/32 of the log after its snapshot
  // with 64, however old the moment it asks for (docs/storage.md).
  size_t snapshots_dense = 64;
};

struct Lag {
  uint64_t events = 0;  // head sequence minus the checkpoint
  double seconds = 0;   // head's recorded_at minus the checkpoint's (0 when caught up)
};

class ProjectionRunner {
 public:
  // `log`, `store` and `projection` must outlive the runner.
  ProjectionRunner(const EventLog& log, ProjectionStore& store, Projection& projection,
                   RunnerOptions options = {});
  ~ProjectionRunner();
  ProjectionRunner(const ProjectionRunner&) = delete;
  ProjectionRunner& operator=(const ProjectionRunner&) = delete;

  // Loads the stored state and checkpoint and checks the checkpoint against
  // the log. Errors: kCorruption (stored state), kFailedPrecondition (the
  // store is ahead of the log, or its checkpoint's hash is not the log's:
  // rebuild), kIoError.
  Status Open();

  // Applies and commits batches until the head seen at the call, and waits
  // for the snapshot being written, if any. Errors:
  // kInternal (a gap), kCorruption, kInvalidArgument (an event that does not
  // decode), kIoError; the stored state is then the last committed batch.
  Status CatchUp();

  // Follows the log until Stop() (returns OK) or an error (returned and kept
  // in status()). kCancelled when the log is closed.
  Status Run();
  // Runs Run() on a background thread; Stop() ends and joins it.
  void Start();
  void Stop();

  // Rebuilds from zero: folds the whole log into the cleared projection and
  // replaces the stored state and checkpoint in one batch. Readers wait while
  // it runs. Errors: as CatchUp; on error the previous stored state is kept
  // and reloaded.
  Status Rebuild();

  // Calls `f()` under the shared lock: the projection is not being changed.
  template <typename F>
  auto Read(F&& f) const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return f();
  }

  Checkpoint checkpoint() const EXCLUDES(status_mu_);
  Lag lag() const EXCLUDES(status_mu_);
  // The error that stopped the runner; OK while healthy.
  Status status() const EXCLUDES(status_mu_);
  bool gap_detected() const { return gaps_.load(std::memory_order_acquire) > 0; }
  uint64_t gaps() const { return gaps_.load(std::memory_order_acquire); }
  uint64_t events_applied() const { return events_.load(std::memory_order_relaxed); }
  uint64_t batches_committed() const { return batches_.load(std::memory_order_relaxed); }
  uint64_t snapshots_taken() const { return snapshots_.load(std::memory_order_relaxed); }

 private:
  // Applies and commits `batch` in parts that end at snapshot sequences,
  // taking the snapshots. Errors: as ApplyPart.
  Status ApplyBatch(const std::vector<RecordedEvent>& batch);
  // Decodes, applies and commits `part` (up to the first event that does not
  // decode). Errors: kInvalidArgument, kIoError.
  Status ApplyPart(std::span<const RecordedEvent> part);
  // Snapshots the committed state at `at` and thins older snapshots, on the
  // snapshot thread. A failure is logged, not returned: a missing snapshot
  // only makes as-of slower.
  void Snapshot(const Checkpoint& at);
  // Waits for the snapshot being written, if any.
  void WaitForSnapshot();
  // Records `s` as the runner's status (counting gaps) and returns it.
  Status Fail(Status s) EXCLUDES(status_mu_);

  const EventLog& log_;
  ProjectionStore& store_;
  Projection& projection_;
  RunnerOptions options_;

  mutable std::shared_mutex mu_;  // the projection: exclusive while applying
  std::unique_ptr<CatchUpSubscription> subscription_;
  std::vector<RecordedEvent> batch_;
  EventDecoder decoder_;
  bool opened_ = false;

  mutable Mutex status_mu_;
  Checkpoint checkpoint_ GUARDED_BY(status_mu_);
  Status status_ GUARDED_BY(status_mu_);

  std::atomic<uint64_t> gaps_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> snapshots_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  // Writes one snapshot; used by the thread that runs Open/CatchUp/Run, and
  // by Stop once that thread is joined.
  std::thread snapshot_thread_;
};

}  // namespace rotor::projections
