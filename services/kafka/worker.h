// Worker: the lifecycle both Kafka bridges share (EventRelay and
// ReportConsumer): a loop run on the caller's thread or on a background
// thread, a stop flag the loop polls, and the error that stopped it, logged
// once and kept for status().
//
// Ownership: the worker owns its background thread; the owner calls Stop()
// before the members its loop uses are destroyed (the destructor only
// joins). Thread safety: Start() and Stop() are called by the owner, from
// one thread at a time; Run() once per worker, from one thread; stopping(),
// running() and status() from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace rotor::kafka {

class Worker {
 public:
  // `name` begins the log line of a failure, e.g. "event relay".
  explicit Worker(std::string name) : name_(std::move(name)) {}
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs `loop` on the calling thread; running() is true until it returns.
  // An error it returns is logged ("<name> stopped: <error>") and kept as
  // status(). Returns what `loop` returned.
  Status Run(const std::function<Status()>& loop) EXCLUDES(mu_);
  // Runs Run(loop) on a background thread, unless one was started;
  // running() is true from here on.
  void Start(std::function<Status()> loop) EXCLUDES(mu_);
  // Turns stopping() true, calls `wake` (if any) to interrupt a loop that
  // waits, and joins the background thread.
  void Stop(const std::function<void()>& wake = nullptr);

  // True once Stop() was called: the loop returns soon after.
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  bool running() const { return running_.load(std::memory_order_acquire); }
  // The error that stopped the loop; OK while it runs or after a clean stop.
  Status status() const EXCLUDES(mu_);

 private:
  const std::string name_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  mutable Mutex mu_;
  Status status_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace rotor::kafka
