// StaleSweeper: flags stale agents on a timer. Every `interval` it runs
// Engine::SweepStale (domain::FlagStaleAgents at the engine's clock, with
// the configured threshold, actor "system:sweeper"), so "not seen for longer
// than the threshold" becomes an AgentFlaggedStale event a replay can see.
//
// Ownership: `engine` must outlive the sweeper. Thread safety: Start and
// Stop are called from one thread; the sweeps run on the sweeper's own.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "events/time.h"
#include "services/app/engine.h"

namespace rotor::rotord {

class StaleSweeper {
 public:
  StaleSweeper(app::Engine& engine, Micros interval) : engine_(engine), interval_(interval) {}
  ~StaleSweeper() { Stop(); }
  StaleSweeper(const StaleSweeper&) = delete;
  StaleSweeper& operator=(const StaleSweeper&) = delete;

  // Sweeps every interval (the first one an interval after Start).
  void Start();
  // Ends the timer and waits for a sweep in progress. Idempotent.
  void Stop();

 private:
  void Loop();

  app::Engine& engine_;
  const Micros interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace rotor::rotord
