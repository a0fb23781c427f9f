// VirtualClock: the clock of a daemon started with --virtual-clock (and of
// rotorctl's in-process mode). Engine::Open moves it forward to the latest
// event's time; after that only POST /v1/clock moves it, so a simulator can
// run weeks of fleet history in seconds. The route refuses a time before the
// latest event's, so recorded times never go backwards in the log.
//
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <atomic>
#include <cstdint>

#include "base/time.h"

namespace rotor::app {

class VirtualClock {
 public:
  explicit VirtualClock(Time start) : micros_(ToMicros(start)) {}

  Time Now() const { return TimeFromMicros(micros_.load(std::memory_order_acquire)); }
  void Set(Time t) { micros_.store(ToMicros(t), std::memory_order_release); }
  // Moves the clock to `t` when `t` is later; otherwise leaves it.
  void AdvanceTo(Time t) {
    int64_t target = ToMicros(t);
    int64_t current = micros_.load(std::memory_order_acquire);
    while (target > current &&
           !micros_.compare_exchange_weak(current, target, std::memory_order_acq_rel)) {
    }
  }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace rotor::app
