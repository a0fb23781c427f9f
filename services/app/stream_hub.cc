#include "services/app/stream_hub.h"

#include <utility>

namespace rotor::app {

StreamHub::StreamHub(Compute compute, std::chrono::milliseconds interval)
    : compute_(std::move(compute)), interval_(interval) {}

StreamHub::~StreamHub() { Stop(); }

void StreamHub::Notify() {
  std::lock_guard<std::mutex> lock(mu_);
  dirty_ = true;
  if (subscribers_ > 0) work_cv_.notify_one();
}

void StreamHub::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  work_cv_.notify_all();
  changed_cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::unique_ptr<StreamHub::Subscription> StreamHub::Subscribe() {
  std::lock_guard<std::mutex> lock(mu_);
  ++subscribers_;
  if (!thread_.joinable() && !stopped_) thread_ = std::thread([this] { Run(); });
  // Current entries are delivered at once; stale ones only after a fresh
  // computation, which stamps every entry with a newer generation.
  uint64_t seen = republish_ ? generation_ : 0;
  if (republish_) {
    dirty_ = true;
    work_cv_.notify_one();
  }
  return std::unique_ptr<Subscription>(new Subscription(*this, seen));
}

StreamHub::Subscription::~Subscription() {
  std::lock_guard<std::mutex> lock(hub_.mu_);
  if (--hub_.subscribers_ == 0) hub_.republish_ = true;  // no one computes until the next
}

Result<std::vector<std::shared_ptr<const std::string>>> StreamHub::Subscription::Next(
    std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(hub_.mu_);
  hub_.changed_cv_.wait_for(lock, timeout,
                            [&] { return hub_.stopped_ || hub_.generation_ > seen_; });
  if (hub_.stopped_) return Status::Cancelled("the live stream is shutting down");
  std::vector<std::shared_ptr<const std::string>> out;
  for (const auto& [id, entry] : hub_.entries_) {
    if (entry.generation > seen_) out.push_back(entry.json);
  }
  seen_ = hub_.generation_;
  return out;
}

size_t StreamHub::subscribers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscribers_;
}

uint64_t StreamHub::computations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return computations_;
}

void StreamHub::Run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopped_ || (dirty_ && subscribers_ > 0); });
      if (stopped_) return;
      dirty_ = false;
      ++computations_;
    }
    Publish(compute_());
    // Coalesce: commits during the interval are folded into one computation.
    std::unique_lock<std::mutex> lock(mu_);
    work_cv_.wait_for(lock, interval_, [&] { return stopped_; });
  }
}

void StreamHub::Publish(std::vector<Progress> progress) {
  std::lock_guard<std::mutex> lock(mu_);
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
  changed_cv_.notify_all();
}

}  // namespace rotor::app
