// GroupCommit: the queue that lets concurrent appenders share one synced
// write. RocksDbEventLog queues every append here; whoever leads a group runs
// the log's commit function on all the queued appends at once, so one fsync
// carries them all.
//
// Who leads. Members queue in order. When no commit is running, the group is
// "complete" when as many members are queued as were in flight when the last
// commit ended (that group's appenders coming back, plus any that queued
// behind it), or when the queued events reach `max_group_events`. The member
// whose arrival completes the group leads it at once, on its own running
// thread; until then the first to arrive waits for the others, for at most
// half the last commit's duration (and never more than 2 ms), then leads
// whatever has queued. Taking over wakes nobody: the first arrival sleeps on
// the same futex word as everyone else, with its deadline. After an idle
// spell nobody waits: the first arrival leads alone. Without this wait
// groups alternate between the halves that queued during each other's sync.
//
// Waking. A leader marks its group's members done and wakes every waiter
// with one futex broadcast (`epoch_`); waiters hold no lock while they wait,
// so they return without contending for `mu_`. Members left queued behind a
// full group wake too and elect the next leader among themselves.
//
// The commit function runs on one thread at a time (a group's leader), in
// group order, without `mu_` held: whatever it keeps between groups (the
// next sequence, the chain's last hash) needs no lock of its own.
//
// Linux only (futex). Thread safety: all methods are safe to call
// concurrently. A Member belongs to the thread that queues it and must stay
// alive until Join returns.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"

namespace rotor {

class GroupCommit {
 public:
  // One caller's place in the queue; the log's writer derives from it.
  class Member {
   public:
    Member() = default;
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;

    // Events this member brings to a group (counted against max_group_events).
    size_t events = 0;

   private:
    friend class GroupCommit;
    std::atomic<bool> done_{false};
  };

  // Commits `group` (in queue order). Runs on the leader's thread, without
  // the queue's lock; must fill each member's results before returning.
  using CommitFn = std::function<void(const std::vector<Member*>& group)>;

  // `max_group_events` bounds the events of one group; a member with more
  // events than that still forms a group of its own.
  GroupCommit(size_t max_group_events, CommitFn commit);
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues `member` and returns once `commit` has run on a group holding it,
  // on this thread or another one's.
  void Join(Member& member) EXCLUDES(mu_);

  // Members joined and not yet done, the committing group's included (tests
  // use it to act once appenders are queued, instead of sleeping).
  size_t in_flight() const EXCLUDES(mu_);

 private:
  // Whether the queue holds the members expected back, or a full group.
  bool GroupComplete() const REQUIRES(mu_);
  // Whether a first arrival should wait for others: the last commit ended
  // recently enough that its appenders are on their way back.
  bool WorthGathering(std::chrono::steady_clock::time_point now) const REQUIRES(mu_);
  // The first arrival: waits (without the lock) until a commit ends or the
  // gather bound passes. Returns whether this member should lead now.
  bool Gather(Member& member) REQUIRES(mu_);
  // Takes the queued members (up to the bound), commits them without the
  // lock and marks them done. Returns with `mu_` held; the caller wakes the
  // waiters (after releasing it).
  void Lead() REQUIRES(mu_);
  // Waits, without the lock, until `member` is done, a group commit ends
  // after `epoch`, or `deadline` (if any) passes.
  void AwaitEpoch(const Member& member, uint32_t epoch,
                  const std::chrono::steady_clock::time_point* deadline = nullptr);

  const size_t max_group_events_;
  const CommitFn commit_;

  mutable Mutex mu_;
  std::deque<Member*> queue_ GUARDED_BY(mu_);   // joined, not yet taken by a leader
  size_t queued_events_ GUARDED_BY(mu_) = 0;    // events of the members in queue_
  size_t in_flight_ GUARDED_BY(mu_) = 0;        // queued or being committed
  bool leading_ GUARDED_BY(mu_) = false;        // a leader is committing a group
  Member* gatherer_ GUARDED_BY(mu_) = nullptr;  // the first arrival, waiting for its group
  // Members in flight when the last commit ended, how long it took and when it ended.
  size_t gather_target_ GUARDED_BY(mu_) = 0;
  std::chrono::steady_clock::duration last_commit_ GUARDED_BY(mu_){};
  std::chrono::steady_clock::time_point last_commit_end_ GUARDED_BY(mu_){};
  // Bumped after every group commit; waiters futex-wait on it, and the
  // leader wakes them all with one FUTEX_WAKE.
  std::atomic<uint32_t> epoch_{0};
};

}  // namespace rotor
