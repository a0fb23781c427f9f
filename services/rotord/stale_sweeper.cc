#include "services/rotord/stale_sweeper.h"

#include <spdlog/spdlog.h>

namespace rotor::rotord {

void StaleSweeper::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void StaleSweeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StaleSweeper::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    Result<size_t> flagged = engine_.SweepStale();
    if (!flagged.ok()) {
      spdlog::warn("stale sweep failed: {}", flagged.status().ToString());
    }
    lock.lock();
  }
}

}  // namespace rotor::rotord
