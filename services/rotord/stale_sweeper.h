// StaleSweeper: flags stale agents on a timer. Every `interval` it runs
// Engine::SweepStale (domain::FlagStaleAgents at the engine's clock, with
// the configured threshold, actor "system:sweeper"), so "not seen for longer
// than the threshold" becomes an AgentFlaggedStale event a replay can see.
//
// Ownership: `engine` must outlive the sweeper. Thread safety: Start and
// Stop are called from one thread; the sweeps run on the sweeper's own.
#pragma once

#include <thread>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "base/time.h"
#include "services/app/engine.h"

namespace rotor::rotord {

class StaleSweeper {
 public:
  StaleSweeper(app::Engine& engine, Micros interval) : engine_(engine), interval_(interval) {}
  ~StaleSweeper() { Stop(); }
  StaleSweeper(const StaleSweeper&) = delete;
  StaleSweeper& operator=(const StaleSweeper&) = delete;

  // Sweeps every interval (the first one an interval after Start).
  void Start() EXCLUDES(mu_);
  // Ends the timer and waits for a sweep in progress. Idempotent.
  void Stop() EXCLUDES(mu_);

 private:
  void Loop() EXCLUDES(mu_);

  app::Engine& engine_;
  const Micros interval_;
  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace rotor::rotord
