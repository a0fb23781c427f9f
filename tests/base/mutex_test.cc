// rotor::Mutex, MutexLock and CondVar (base/mutex.h).
#include "base/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace rotor {
namespace {

struct Mailbox {
  Mutex mu;
  CondVar changed;
  int value GUARDED_BY(mu) = 0;
};

TEST(MutexTest, SignalWakesAWaiterThatSeesTheNewValue) {
  Mailbox box;
  bool woke = false;
  std::thread waiter([&] {
    MutexLock lock(&box.mu);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (box.value == 0 && box.changed.WaitUntil(&box.mu, deadline)) {
    }
    woke = box.value == 42;
  });
  {
    MutexLock lock(&box.mu);
    box.value = 42;
  }
  box.changed.SignalAll();
  waiter.join();
  EXPECT_TRUE(woke);
}

TEST(MutexTest, WaitUntilAPastDeadlineReturnsFalseWithTheMutexHeld) {
  Mailbox box;
  MutexLock lock(&box.mu);
  EXPECT_FALSE(box.changed.WaitUntil(&box.mu, std::chrono::steady_clock::now()));
  EXPECT_FALSE(box.changed.WaitFor(&box.mu, std::chrono::milliseconds(0)));
  box.value = 1;  // still held: the analysis and the lock agree
  EXPECT_EQ(box.value, 1);
}

TEST(MutexTest, UnlockLetsAnotherThreadInAndLockTakesItBack) {
  Mailbox box;
  MutexLock lock(&box.mu);
  lock.Unlock();
  std::thread other([&] {
    MutexLock inner(&box.mu);
    box.value = 7;
  });
  other.join();  // would deadlock if Unlock kept the mutex
  lock.Lock();
  EXPECT_EQ(box.value, 7);
}

}  // namespace
}  // namespace rotor
