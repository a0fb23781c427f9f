// StateSnapshotter: takes snapshots of the deciders' state (StateSnapshots)
// on its own thread, so that a restart folds a bounded number of events: one
// when at least `every_events` events were folded since the last one and at
// least `min_interval` has passed (encoding costs about 60 ms of CPU per
// million agents; it holds the command service's lock for one piece at a time,
// CommandService::EncodeSnapshot), and one at Stop(). After a crash, a start folds at most the
// events since the last snapshot: `every_events`, or what arrived within `min_interval`.
//
// Thread-safe. `commands` and `log` must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "events/event_log.h"
#include "services/app/state_snapshots.h"
#include "services/domain/command_service.h"

namespace rotor::app {

struct StateSnapshotterOptions {
  uint64_t every_events = 100000;  // 0: only at Stop()
  std::chrono::milliseconds min_interval{std::chrono::seconds(30)};
  std::chrono::milliseconds poll{std::chrono::seconds(1)};
};

class StateSnapshotter {
 public:
  // `restored`: the sequence of the snapshot the state was restored from (0: none).
  StateSnapshotter(domain::CommandService& commands, const EventLog& log, StateSnapshots& snapshots,
                   StateSnapshotterOptions options, uint64_t restored);
  ~StateSnapshotter();
  StateSnapshotter(const StateSnapshotter&) = delete;
  StateSnapshotter& operator=(const StateSnapshotter&) = delete;

  void Start() EXCLUDES(mu_);
  // Stops the thread and takes a last snapshot when events were folded since.
  void Stop() EXCLUDES(mu_);

  // Catches the state up and snapshots it now (unless nothing is new).
  // Returns the snapshot's sequence. Errors: the log's, kIoError.
  Result<uint64_t> TakeNow() EXCLUDES(take_mu_);

 private:
  void Run() EXCLUDES(mu_);

  domain::CommandService& commands_;
  const EventLog& log_;
  StateSnapshots& snapshots_;
  const StateSnapshotterOptions options_;
  Mutex take_mu_;  // one snapshot at a time
  uint64_t last_ GUARDED_BY(take_mu_);
  std::chrono::steady_clock::time_point last_at_ GUARDED_BY(take_mu_);
  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace rotor::app
