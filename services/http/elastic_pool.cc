#include "services/http/elastic_pool.h"

#include <algorithm>

namespace rotor::http {

ElasticPool::ElasticPool(size_t serving) : serving_(std::max<size_t>(serving, 1)) {
  MutexLock lock(&mu_);
  for (size_t i = 0; i < serving_; ++i) Spawn();
}

ElasticPool::~ElasticPool() { shutdown(); }

void ElasticPool::enqueue(std::function<void()> fn) {
  {
    MutexLock lock(&mu_);
    jobs_.push_back(std::move(fn));
  }
  cv_.Signal();
}

void ElasticPool::shutdown() {
  std::list<std::thread> threads;
  {
    MutexLock lock(&mu_);
    shutdown_ = true;
  }
  cv_.SignalAll();
  // A thread may still start a replacement until it sees shutdown_, so join
  // until no thread is left.
  for (;;) {
    {
      MutexLock lock(&mu_);
      if (threads_.empty()) return;
      threads.splice(threads.end(), threads_);
      exited_.clear();
    }
    for (std::thread& t : threads) t.join();
    threads.clear();
  }
}

ElasticPool::Blocking::Blocking(ElasticPool& pool) : pool_(pool) {
  MutexLock lock(&pool_.mu_);
  ++pool_.blocked_;
  if (pool_.alive_ - pool_.blocked_ < pool_.serving_ && !pool_.shutdown_) pool_.Spawn();
}

ElasticPool::Blocking::~Blocking() {
  MutexLock lock(&pool_.mu_);
  --pool_.blocked_;
}

size_t ElasticPool::threads() const {
  MutexLock lock(&mu_);
  return alive_;
}

void ElasticPool::Spawn() {
  Reap();
  ++alive_;
  threads_.emplace_back([this] { Work(); });
}

void ElasticPool::Reap() {
  for (std::thread::id id : exited_) {
    auto it = std::find_if(threads_.begin(), threads_.end(),
                           [id](const std::thread& t) { return t.get_id() == id; });
    if (it == threads_.end()) continue;
    it->join();  // it has left Work; joining waits only for its last instructions
    threads_.erase(it);
  }
  exited_.clear();
}

void ElasticPool::Work() {
  for (;;) {
    std::function<void()> job;
    {
      MutexLock lock(&mu_);
      while (jobs_.empty() && !shutdown_ && alive_ - blocked_ <= serving_) cv_.Wait(&mu_);
      if (jobs_.empty() && (shutdown_ || alive_ - blocked_ > serving_)) {
        --alive_;  // a surplus thread (its stream ended) or shutdown
        exited_.push_back(std::this_thread::get_id());
        return;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace rotor::http
