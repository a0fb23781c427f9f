// ElasticPool: rotord's cpp-httplib task queue. cpp-httplib serves each
// connection on one pool thread for as long as it lasts, so a live stream
// (GET /v1/stream) would hold a request thread for hours. Here `serving`
// threads always wait for ordinary requests: a thread that enters a long
// wait says so with a Blocking scope, and the pool starts a thread to take
// its place; when the wait ends, the surplus thread exits. The number of
// threads is `serving` plus the number of open Blocking scopes, which the
// caller bounds (rotord: --max-streams).
//
// Ownership: the pool owns its threads and the queued tasks; cpp-httplib owns
// the pool (Server::new_task_queue). Thread safety: every member is safe to
// call concurrently; shutdown() joins every thread, so Blocking scopes must
// end first (rotord ends the streams before it stops the server).
#pragma once

#include <httplib.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"

namespace rotor::http {

class ElasticPool final : public httplib::TaskQueue {
 public:
  // Starts `serving` threads (at least one).
  explicit ElasticPool(size_t serving);
  ~ElasticPool() override;

  // Queues `fn` (one connection) for the next free serving thread.
  void enqueue(std::function<void()> fn) override EXCLUDES(mu_);
  // Runs what is queued, then joins every thread. Idempotent.
  void shutdown() override EXCLUDES(mu_);

  // While alive, the calling thread does not count as serving; a new thread
  // replaces it when needed.
  class Blocking {
   public:
    explicit Blocking(ElasticPool& pool);
    ~Blocking();
    Blocking(const Blocking&) = delete;
    Blocking& operator=(const Blocking&) = delete;

   private:
    ElasticPool& pool_;
  };

  // Threads alive now (serving or blocked).
  size_t threads() const EXCLUDES(mu_);

 private:
  void Work() EXCLUDES(mu_);
  // Starts a thread.
  void Spawn() REQUIRES(mu_);
  // Joins the threads that exited.
  void Reap() REQUIRES(mu_);

  const size_t serving_;
  mutable Mutex mu_;
  CondVar cv_;  // signalled on a new job and at shutdown
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  std::list<std::thread> threads_ GUARDED_BY(mu_);
  std::vector<std::thread::id> exited_ GUARDED_BY(mu_);
  size_t alive_ GUARDED_BY(mu_) = 0;    // threads in Work
  size_t blocked_ GUARDED_BY(mu_) = 0;  // of those, inside a Blocking scope
  bool shutdown_ GUARDED_BY(mu_) = false;
};

}  // namespace rotor::http
