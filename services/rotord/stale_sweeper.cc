#include "services/rotord/stale_sweeper.h"

#include <spdlog/spdlog.h>

namespace rotor::rotord {

void StaleSweeper::Start() {
  {
    MutexLock lock(&mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void StaleSweeper::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void StaleSweeper::Loop() {
  MutexLock lock(&mu_);
  for (;;) {
    auto deadline = std::chrono::steady_clock::now() + interval_;
    while (!stopping_ && wake_.WaitUntil(&mu_, deadline)) {
    }
    if (stopping_) return;
    lock.Unlock();
    Result<size_t> flagged = engine_.SweepStale();
    if (!flagged.ok()) {
      spdlog::warn("stale sweep failed: {}", flagged.status().ToString());
    }
    lock.Lock();
  }
}

}  // namespace rotor::rotord
