// TaskThreads: a fixed set of threads that run submitted tasks in the order
// they were submitted, each answering through a future. For work that must
// overlap other work without a thread created per task: the report
// consumer ingests each batch on one of its two.
//
// Thread-safe. The destructor lets the threads finish every task already
// submitted, then joins them.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace rotor {

class TaskThreads {
 public:
  // Starts `threads` threads (at least one). Errors: kResourceExhausted when
  // the system refuses a thread (those already started are joined).
  static Result<std::unique_ptr<TaskThreads>> Start(size_t threads);

  TaskThreads(const TaskThreads&) = delete;
  TaskThreads& operator=(const TaskThreads&) = delete;
  ~TaskThreads() EXCLUDES(mu_);

  // Queues `task`; the first free thread runs it. The future holds its Status.
  std::future<Status> Submit(std::function<Status()> task) EXCLUDES(mu_);

  size_t size() const { return threads_.size(); }

 private:
  TaskThreads() = default;
  void Loop() EXCLUDES(mu_);
  void StopAndJoin() EXCLUDES(mu_);

  Mutex mu_;
  CondVar queued_;
  std::deque<std::packaged_task<Status()>> tasks_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // set up by Start, then only joined
};

}  // namespace rotor
