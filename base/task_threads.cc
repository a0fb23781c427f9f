#include "base/task_threads.h"

#include <algorithm>
#include <string>
#include <system_error>
#include <utility>

namespace rotor {

Result<std::unique_ptr<TaskThreads>> TaskThreads::Start(size_t threads) {
  const size_t n = std::max<size_t>(threads, 1);
  std::unique_ptr<TaskThreads> pool(new TaskThreads());
  pool->threads_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    try {
      pool->threads_.emplace_back([p = pool.get()] { p->Loop(); });
    } catch (const std::system_error& e) {
      pool->StopAndJoin();
      return Status::ResourceExhausted("cannot start thread " + std::to_string(i + 1) + " of " +
                                       std::to_string(n) + ": " + e.what());
    }
  }
  return pool;
}

TaskThreads::~TaskThreads() { StopAndJoin(); }

void TaskThreads::StopAndJoin() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  queued_.SignalAll();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::future<Status> TaskThreads::Submit(std::function<Status()> task) {
  std::packaged_task<Status()> packaged(std::move(task));
  std::future<Status> result = packaged.get_future();
  {
    MutexLock lock(&mu_);
    tasks_.push_back(std::move(packaged));
  }
  queued_.Signal();
  return result;
}

void TaskThreads::Loop() {
  for (;;) {
    std::packaged_task<Status()> task;
    {
      MutexLock lock(&mu_);
      while (tasks_.empty() && !stopping_) queued_.Wait(&mu_);
      if (tasks_.empty()) return;  // stopping, and nothing left to run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace rotor
