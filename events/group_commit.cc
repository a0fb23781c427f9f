#include "events/group_commit.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <utility>

namespace rotor {
namespace {

// Upper bound on how long a first arrival waits for the rest of its group.
constexpr std::chrono::microseconds kMaxGatherWait{2000};

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
                  std::atomic<uint32_t>::is_always_lock_free,
              "the epoch is used as a futex word");

uint32_t* FutexWord(std::atomic<uint32_t>* word) { return reinterpret_cast<uint32_t*>(word); }

// Sleeps while *word == expected, until woken or `deadline` (steady clock,
// i.e. CLOCK_MONOTONIC; nullptr: none). May return spuriously.
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected,
               const std::chrono::steady_clock::time_point* deadline) {
  timespec ts{};
  if (deadline != nullptr) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline->time_since_epoch());
    ts.tv_sec = static_cast<time_t>(ns.count() / 1000000000);
    ts.tv_nsec = static_cast<decltype(ts.tv_nsec)>(ns.count() % 1000000000);
  }
  syscall(SYS_futex, FutexWord(word), FUTEX_WAIT_BITSET_PRIVATE, expected,
          deadline != nullptr ? &ts : nullptr, nullptr, FUTEX_BITSET_MATCH_ANY);
}

void FutexWakeAll(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, FutexWord(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace

GroupCommit::GroupCommit(size_t max_group_events, CommitFn commit)
    : max_group_events_(max_group_events), commit_(std::move(commit)) {}

void GroupCommit::Join(Member& member) {
  MutexLock lock(&mu_);
  queue_.push_back(&member);
  queued_events_ += member.events;
  ++in_flight_;
  while (!member.done_.load(std::memory_order_acquire)) {
    if (!leading_) {
      bool lead = GroupComplete();
      if (!lead && gatherer_ == nullptr) {
        // The first arrival waits for its group unless nobody is coming.
        lead = !WorthGathering(std::chrono::steady_clock::now()) || Gather(member);
      }
      if (lead) {
        Lead();
        lock.Unlock();
        FutexWakeAll(&epoch_);  // one broadcast wakes the whole group
        if (member.done_.load(std::memory_order_acquire)) return;
        lock.Lock();
        continue;
      }
      if (member.done_.load(std::memory_order_acquire)) break;
    }
    // A leader is committing, or the first arrival is gathering a group
    // that holds this member: wait for the next commit to end.
    uint32_t epoch = epoch_.load(std::memory_order_acquire);
    lock.Unlock();
    AwaitEpoch(member, epoch);
    lock.Lock();
  }
}

size_t GroupCommit::in_flight() const {
  MutexLock lock(&mu_);
  return in_flight_;
}

bool GroupCommit::GroupComplete() const {
  return queue_.size() >= gather_target_ || queued_events_ >= max_group_events_;
}

bool GroupCommit::WorthGathering(std::chrono::steady_clock::time_point now) const {
  auto bound = std::min<std::chrono::steady_clock::duration>(last_commit_ / 2, kMaxGatherWait);
  return now - last_commit_end_ <= bound;
}

bool GroupCommit::Gather(Member& member) {
  gatherer_ = &member;
  auto bound = std::min<std::chrono::steady_clock::duration>(last_commit_ / 2, kMaxGatherWait);
  auto deadline = std::chrono::steady_clock::now() + bound;
  uint32_t epoch = epoch_.load(std::memory_order_acquire);
  mu_.Unlock();
  // The member whose arrival completes the group leads it and ends the
  // wait with its commit's broadcast.
  AwaitEpoch(member, epoch, &deadline);
  mu_.Lock();
  if (gatherer_ == &member) gatherer_ = nullptr;  // timed out: nobody took over
  return !leading_ && !member.done_.load(std::memory_order_acquire);
}

void GroupCommit::Lead() {
  leading_ = true;
  gatherer_ = nullptr;  // this arrival completed the gatherer's group
  std::vector<Member*> group;
  size_t events = 0;
  while (!queue_.empty()) {
    Member* next = queue_.front();
    if (!group.empty() && events + next->events > max_group_events_) break;
    group.push_back(next);
    events += next->events;
    queue_.pop_front();
  }
  queued_events_ -= events;
  mu_.Unlock();
  auto start = std::chrono::steady_clock::now();
  commit_(group);
  auto end = std::chrono::steady_clock::now();
  mu_.Lock();
  last_commit_ = end - start;
  last_commit_end_ = end;
  gather_target_ = group.size() + queue_.size();  // this group and everyone queued behind it
  in_flight_ -= group.size();
  leading_ = false;
  // A member's thread may return (and its Member go away) once it is done:
  // nothing below touches the group.
  for (Member* m : group) m->done_.store(true, std::memory_order_release);
  epoch_.fetch_add(1, std::memory_order_release);
}

void GroupCommit::AwaitEpoch(const Member& member, uint32_t epoch,
                             const std::chrono::steady_clock::time_point* deadline) {
  while (!member.done_.load(std::memory_order_acquire) &&
         epoch_.load(std::memory_order_acquire) == epoch) {
    if (deadline != nullptr && std::chrono::steady_clock::now() >= *deadline) return;
    FutexWait(&epoch_, epoch, deadline);
  }
}

}  // namespace rotor
