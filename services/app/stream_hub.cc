#include "services/app/stream_hub.h"

#include <utility>

namespace rotor::app {

StreamHub::StreamHub(Compute compute, std::chrono::milliseconds interval)
    : compute_(std::move(compute)), interval_(interval) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Notify() {
  MutexLock lock(&mu_);
  dirty_ = true;
  if (subscribers_ > 0) work_cv_.Signal();
}

void StreamHub::Stop() {
  {
    MutexLock lock(&mu_);
    stopped_ = true;
    WakeAll();
  }
  work_cv_.SignalAll();
  changed_cv_.SignalAll();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::unique_ptr<StreamHub::Subscription> StreamHub::Subscribe(std::function<void()> wake) {
  MutexLock lock(&mu_);
  ++subscribers_;
  if (!thread_.joinable() && !stopped_) thread_ = std::thread([this] { Run(); });
  // Current entries are delivered at once; stale ones only after a fresh
  // computation, which stamps every entry with a newer generation.
  uint64_t seen = republish_ ? generation_ : 0;
  if (republish_) {
    dirty_ = true;
    work_cv_.Signal();
  }
  auto subscription = std::unique_ptr<Subscription>(new Subscription(*this, seen, std::move(wake)));
  if (subscription->wake_) {
    woken_.insert(subscription.get());
    if (!republish_ || stopped_) subscription->wake_();  // current entries are there to Poll
  }
  return subscription;
}

StreamHub::Subscription::~Subscription() {
  MutexLock lock(&hub_.mu_);
  hub_.woken_.erase(this);
  if (--hub_.subscribers_ == 0) hub_.republish_ = true;  // no one computes until the next
}

Result<std::vector<std::shared_ptr<const std::string>>> StreamHub::Subscription::Next(
    std::chrono::milliseconds timeout) {
  MutexLock lock(&hub_.mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!hub_.stopped_ && hub_.generation_ <= seen_) {
    if (!hub_.changed_cv_.WaitUntil(&hub_.mu_, deadline)) break;
  }
  return Take();
}

Result<std::vector<std::shared_ptr<const std::string>>> StreamHub::Subscription::Poll() {
  MutexLock lock(&hub_.mu_);
  return Take();
}

Result<std::vector<std::shared_ptr<const std::string>>> StreamHub::Subscription::Take() {
  if (hub_.stopped_) return Status::Cancelled("the live stream is shutting down");
  std::vector<std::shared_ptr<const std::string>> out;
  for (const auto& [id, entry] : hub_.entries_) {
    if (entry.generation > seen_) out.push_back(entry.json);
  }
  seen_ = hub_.generation_;
  return out;
}

size_t StreamHub::subscribers() const {
  MutexLock lock(&mu_);
  return subscribers_;
}

uint64_t StreamHub::computations() const {
  MutexLock lock(&mu_);
  return computations_;
}

void StreamHub::Run() {
  for (;;) {
    {
      MutexLock lock(&mu_);
      while (!stopped_ && !(dirty_ && subscribers_ > 0)) work_cv_.Wait(&mu_);
      if (stopped_) return;
      dirty_ = false;
      ++computations_;
    }
    Publish(compute_());
    // Coalesce: commits during the interval are folded into one computation.
    MutexLock lock(&mu_);
    auto deadline = std::chrono::steady_clock::now() + interval_;
    while (!stopped_) {
      if (!work_cv_.WaitUntil(&mu_, deadline)) break;
    }
  }
}

void StreamHub::Publish(std::vector<Progress> progress) {
  MutexLock lock(&mu_);
  const bool all = std::exchange(republish_, subscribers_ == 0);
  const uint64_t next = generation_ + 1;
  bool changed = false;
  for (Progress& p : progress) {
    auto it = entries_.find(p.rollout_id);
    if (it == entries_.end()) {
      it = entries_.emplace(std::move(p.rollout_id), Entry{}).first;
    } else if (!all && it->second.change_key == p.change_key) {
      continue;
    }
    it->second.change_key = std::move(p.change_key);
    it->second.json = std::make_shared<const std::string>(std::move(p.json));
    it->second.generation = next;
    changed = true;
  }
  if (!changed) return;
  generation_ = next;
  changed_cv_.SignalAll();
  WakeAll();
}

void StreamHub::WakeAll() {
  for (Subscription* s : woken_) s->wake_();
}

}  // namespace rotor::app
