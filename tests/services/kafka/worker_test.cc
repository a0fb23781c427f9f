// Worker: the lifecycle the Kafka relay and consumer share. Start runs the
// loop once on a thread, Stop wakes and joins it, and the error that
// stopped the loop is kept.
#include "services/kafka/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "base/mutex.h"

namespace rotor::kafka {
namespace {

// A loop that waits until Stop() wakes it, as the bridges' loops do.
class WaitingLoop {
 public:
  Status Run(Worker& worker) EXCLUDES(mu_) {
    runs_.fetch_add(1);
    started_.set_value();
    MutexLock lock(&mu_);
    while (!worker.stopping()) woken_.Wait(&mu_);
    return result_;
  }
  void Wake() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    woken_.SignalAll();
  }
  void WaitStarted() { started_.get_future().wait(); }
  int runs() const { return runs_.load(); }
  void set_result(Status s) { result_ = std::move(s); }

 private:
  Mutex mu_;
  CondVar woken_;
  std::promise<void> started_;
  std::atomic<int> runs_{0};
  Status result_;
};

TEST(WorkerTest, RunKeepsTheErrorThatStoppedTheLoop) {
  Worker worker("test worker");
  Status s = worker.Run([] { return Status::IoError("the disk is gone"); });
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(worker.status().code(), StatusCode::kIoError);
  EXPECT_EQ(worker.status().message(), "the disk is gone");
  EXPECT_FALSE(worker.running());
}

TEST(WorkerTest, StartRunsTheLoopOnceUntilStopWakesIt) {
  Worker worker("test worker");
  WaitingLoop loop;
  worker.Start([&] { return loop.Run(worker); });
  loop.WaitStarted();
  EXPECT_TRUE(worker.running());
  EXPECT_FALSE(worker.stopping());
  worker.Start([&] { return loop.Run(worker); });  // already started: ignored
  worker.Stop([&] { loop.Wake(); });
  EXPECT_TRUE(worker.stopping());
  EXPECT_FALSE(worker.running());
  EXPECT_TRUE(worker.status().ok()) << worker.status().ToString();
  EXPECT_EQ(loop.runs(), 1);
}

TEST(WorkerTest, AnErrorOnTheThreadIsKeptAfterStop) {
  Worker worker("test worker");
  WaitingLoop loop;
  loop.set_result(Status::Cancelled("the log closed"));
  worker.Start([&] { return loop.Run(worker); });
  loop.WaitStarted();
  worker.Stop([&] { loop.Wake(); });
  EXPECT_EQ(worker.status().code(), StatusCode::kCancelled);
  EXPECT_FALSE(worker.running());
}

TEST(WorkerTest, StopBeforeStartLeavesNothingToJoin) {
  Worker worker("test worker");
  bool woken = false;
  worker.Stop([&] { woken = true; });
  EXPECT_TRUE(woken);
  EXPECT_TRUE(worker.stopping());
  EXPECT_FALSE(worker.running());
  EXPECT_TRUE(worker.status().ok());
}

}  // namespace
}  // namespace rotor::kafka
