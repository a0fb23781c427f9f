// rotor::TaskThreads (base/task_threads.h).
#include "base/task_threads.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <set>
#include <vector>

#include "base/mutex.h"

namespace rotor {
namespace {

pid_t ThisThread() { return static_cast<pid_t>(syscall(SYS_gettid)); }

TEST(TaskThreadsTest, ManyTasksRunOnTheSameFewThreadsAndAnswerThroughTheirFutures) {
  auto pool = TaskThreads::Start(2);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  EXPECT_EQ((*pool)->size(), 2u);
  Mutex mu;
  std::set<pid_t> threads;
  std::vector<std::future<Status>> results;
  for (int i = 0; i < 50; ++i) {
    results.push_back((*pool)->Submit([&, i] {
      MutexLock lock(&mu);
      threads.insert(ThisThread());
      return i % 10 == 3 ? Status::Conflict("task " + std::to_string(i)) : Status::Ok();
    }));
  }
  for (int i = 0; i < 50; ++i) {
    Status s = results[i].get();
    if (i % 10 == 3) {
      EXPECT_EQ(s.message(), "task " + std::to_string(i));
    } else {
      EXPECT_TRUE(s.ok()) << i << ": " << s.ToString();
    }
  }
  MutexLock lock(&mu);
  EXPECT_LE(threads.size(), 2u);
  EXPECT_EQ(threads.count(ThisThread()), 0u) << "a task ran on the submitting thread";
}

// Two tasks that each wait for the other finish only if they run at once.
TEST(TaskThreadsTest, TwoThreadsRunTwoTasksAtOnce) {
  auto pool = TaskThreads::Start(2);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  std::atomic<int> arrived{0};
  auto meet = [&] {
    arrived.fetch_add(1);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (arrived.load() < 2) {
      if (std::chrono::steady_clock::now() > deadline) return Status::DeadlineExceeded("alone");
      std::this_thread::yield();
    }
    return Status::Ok();
  };
  std::future<Status> a = (*pool)->Submit(meet);
  std::future<Status> b = (*pool)->Submit(meet);
  EXPECT_TRUE(a.get().ok());
  EXPECT_TRUE(b.get().ok());
}

TEST(TaskThreadsTest, TheDestructorRunsWhatWasSubmittedBeforeItJoins) {
  std::atomic<int> ran{0};
  std::vector<std::future<Status>> results;
  {
    auto pool = TaskThreads::Start(1);
    ASSERT_TRUE(pool.ok()) << pool.status().ToString();
    for (int i = 0; i < 20; ++i) {
      results.push_back((*pool)->Submit([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ran.fetch_add(1);
        return Status::Ok();
      }));
    }
  }
  EXPECT_EQ(ran.load(), 20);
  for (auto& r : results) EXPECT_TRUE(r.get().ok());
}

}  // namespace
}  // namespace rotor
