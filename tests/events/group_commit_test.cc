// GroupCommit (events/group_commit.h): every member is committed exactly
// once, in queue order, by one leader at a time; members queued during a
// commit share the next one; the events bound splits groups.
#include "events/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace rotor::testing {
namespace {

// A member that knows its thread and its place in that thread's sequence.
struct Item : GroupCommit::Member {
  int thread = 0;
  int index = 0;
  int commits = 0;  // written by the leader that commits it
};

// Records the groups a GroupCommit commits, and checks that no two commits overlap.
class Recorder {
 public:
  void Commit(const std::vector<GroupCommit::Member*>& group) {
    if (running_.exchange(true)) overlapped_ = true;
    {
      std::unique_lock<std::mutex> lock(mu_);
      sizes_.push_back(group.size());
      for (GroupCommit::Member* m : group) {
        Item* item = static_cast<Item*>(m);
        ++item->commits;
        order_.push_back({item->thread, item->index});
      }
      ++commits_;
      cv_.notify_all();
      if (commits_ == 1) cv_.wait(lock, [&] { return !hold_; });
    }
    running_ = false;
  }
  // Holds the first commit inside the commit function until Release().
  void HoldFirst() { hold_ = true; }
  void AwaitHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return commits_ >= 1; });
  }
  void Release() {
    std::unique_lock<std::mutex> lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }

  bool overlapped() const { return overlapped_; }
  std::vector<size_t> sizes() const {
    std::unique_lock<std::mutex> lock(mu_);
    return sizes_;
  }
  std::vector<std::pair<int, int>> order() const {
    std::unique_lock<std::mutex> lock(mu_);
    return order_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> running_{false};
  std::atomic<bool> overlapped_{false};
  std::vector<size_t> sizes_;
  std::vector<std::pair<int, int>> order_;
  size_t commits_ = 0;
  bool hold_ = false;  // hold the first commit until Release()
};

GroupCommit::CommitFn CommitTo(Recorder* r) {
  return [r](const std::vector<GroupCommit::Member*>& group) { r->Commit(group); };
}

TEST(GroupCommitTest, ConcurrentMembersAreCommittedOnceInOrderByOneLeaderAtATime) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  Recorder recorder;
  GroupCommit queue(16384, CommitTo(&recorder));
  std::atomic<int> uncommitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Item item;
        item.events = 1;
        item.thread = t;
        item.index = i;
        queue.Join(item);
        // Join returns only once a leader has committed this member, once.
        if (item.commits != 1) ++uncommitted;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(uncommitted.load(), 0);
  EXPECT_FALSE(recorder.overlapped()) << "two leaders committed at once";
  EXPECT_EQ(queue.in_flight(), 0u);
  std::vector<std::pair<int, int>> order = recorder.order();
  ASSERT_EQ(order.size(), size_t{kThreads * kPerThread});
  std::vector<int> next(kThreads, 0);
  for (const auto& [thread, index] : order) {
    ASSERT_EQ(index, next[thread]) << "thread " << thread << "'s members out of order";
    ++next[thread];
  }
}

TEST(GroupCommitTest, MembersQueuedDuringACommitShareTheNextOne) {
  constexpr int kFollowers = 7;
  Recorder recorder;
  recorder.HoldFirst();
  GroupCommit queue(16384, CommitTo(&recorder));
  auto join = [&](int t) {
    Item item;
    item.events = 1;
    item.thread = t;
    queue.Join(item);
  };
  std::thread first(join, 0);
  recorder.AwaitHeld();
  std::vector<std::thread> followers;
  for (int t = 1; t <= kFollowers; ++t) followers.emplace_back(join, t);
  while (queue.in_flight() < 1 + kFollowers) std::this_thread::yield();
  recorder.Release();
  first.join();
  for (std::thread& th : followers) th.join();
  EXPECT_EQ(recorder.sizes(), (std::vector<size_t>{1, kFollowers}));
}

TEST(GroupCommitTest, TheEventsBoundSplitsGroupsButNeverRefusesALargeMember) {
  Recorder recorder;
  recorder.HoldFirst();
  GroupCommit queue(10, CommitTo(&recorder));
  auto join = [&](int t, size_t events) {
    Item item;
    item.events = events;
    item.thread = t;
    queue.Join(item);
  };
  std::thread first(join, 0, 1);
  recorder.AwaitHeld();
  // Queued in this order behind the held commit: 4 + 4 fit in one group of
  // at most 10 events, 4 more would not; 25 exceeds the bound alone.
  std::vector<std::thread> queued;
  const size_t events[] = {4, 4, 4, 25};
  for (int t = 1; t <= 4; ++t) {
    queued.emplace_back(join, t, events[t - 1]);
    while (queue.in_flight() < static_cast<size_t>(1 + t)) std::this_thread::yield();
  }
  recorder.Release();
  first.join();
  for (std::thread& th : queued) th.join();
  std::vector<std::pair<int, int>> order = recorder.order();
  ASSERT_EQ(order.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(order[i].first, i) << "members out of queue order";
  EXPECT_EQ(recorder.sizes(), (std::vector<size_t>{1, 2, 1, 1}));
}

}  // namespace
}  // namespace rotor::testing
