// StreamHub: the live progress feed behind Engine::Watch, and so behind
// GET /v1/stream and `rotorctl status --follow`.
//
// One thread computes every rollout's progress once per change and shares
// the JSON text with every subscriber: a thousand subscribers cost one
// computation, not a thousand. Changes are coalesced: the hub computes at
// most once per `interval` however fast the projections commit, and always
// again after the last commit, so the latest value is always delivered. A
// subscriber that reads late skips straight to the latest value of each
// rollout; nothing queues up behind a slow reader and the hub never waits
// for one.
//
// A new subscriber first receives every rollout's current progress. The hub
// computes only while someone subscribes (its thread starts with the first
// Subscribe); after a quiet spell the next subscriber waits for one fresh
// computation instead of being handed stale values.
//
// A subscriber either waits in Next (one thread per subscriber: `rotorctl
// status --follow` in-process), or gives Subscribe a `wake` callback and
// calls Poll when woken (rotord's stream writers serve every HTTP stream from
// a few threads: the hub wakes a writer once, not a thousand threads).
//
// Ownership: the hub owns its thread and the shared texts (each handed out as
// shared_ptr<const std::string>, so a subscriber may keep one after the hub
// moved on). `compute` must stay callable until Stop returns. A Subscription
// must not outlive its hub. Thread safety: every member is safe to call
// concurrently; a Subscription is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "services/app/api.h"

namespace rotor::app {

class StreamHub {
 public:
  // One rollout's progress as the hub publishes it.
  struct Progress {
    std::string rollout_id;
    std::string change_key;  // equal keys: nothing a subscriber should see changed
    std::string json;        // the text delivered to subscribers
  };
  using Compute = std::function<std::vector<Progress>()>;

  StreamHub(Compute compute, std::chrono::milliseconds interval);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Says the progress may have changed (after each projection commit).
  // Cheap: sets a flag and wakes the hub's thread.
  void Notify() EXCLUDES(mu_);
  // Ends every subscription (their Next returns kCancelled) and joins the
  // thread. Idempotent; Subscribe after Stop gives a subscription that is
  // already ended.
  void Stop() EXCLUDES(mu_);

  class Subscription final : public LiveFeed {
   public:
    ~Subscription() override;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    // Waits up to `timeout` for a rollout's progress to change since the
    // last call (the first call: every rollout's progress), then returns the
    // latest text of each changed rollout, in rollout id order; empty when
    // `timeout` passed first. Errors: kCancelled once the hub stopped.
    Result<std::vector<std::shared_ptr<const std::string>>> Next(std::chrono::milliseconds timeout);
    // Next without waiting (LiveFeed).
    Result<std::vector<std::shared_ptr<const std::string>>> Poll() override;

   private:
    friend class StreamHub;
    Subscription(StreamHub& hub, uint64_t seen, std::function<void()> wake)
        : hub_(hub), seen_(seen), wake_(std::move(wake)) {}
    // What changed since seen_ (and moves seen_ on). Errors: kCancelled.
    Result<std::vector<std::shared_ptr<const std::string>>> Take() REQUIRES(hub_.mu_);
    StreamHub& hub_;
    uint64_t seen_;  // the hub's generation this subscriber has delivered
    const std::function<void()> wake_;
  };

  // A new subscription (see the class comment for what it receives first).
  // `wake`, when given, is called (with the hub's lock held, from the hub's
  // thread or from Stop) whenever Poll may return something new, and once
  // at Stop: it must be cheap, must not block and must not call the hub.
  std::unique_ptr<Subscription> Subscribe(std::function<void()> wake = nullptr) EXCLUDES(mu_);

  // Subscriptions open now.
  size_t subscribers() const EXCLUDES(mu_);
  // Computations so far (each one call of `compute`).
  uint64_t computations() const EXCLUDES(mu_);

 private:
  struct Entry {
    std::string change_key;
    std::shared_ptr<const std::string> json;
    uint64_t generation = 0;  // the hub generation that last changed it
  };

  void Run() EXCLUDES(mu_);
  // Stores `progress`, stamps what changed with a new generation and wakes
  // the subscribers.
  void Publish(std::vector<Progress> progress) EXCLUDES(mu_);
  // Calls every subscription's wake callback.
  void WakeAll() REQUIRES(mu_);

  const Compute compute_;
  const std::chrono::milliseconds interval_;

  mutable Mutex mu_;
  CondVar changed_cv_;  // subscribers wait here
  CondVar work_cv_;     // the hub's thread waits here
  std::map<std::string, Entry, std::less<>> entries_ GUARDED_BY(mu_);  // by rollout id
  uint64_t generation_ GUARDED_BY(mu_) = 0;
  uint64_t computations_ GUARDED_BY(mu_) = 0;
  size_t subscribers_ GUARDED_BY(mu_) = 0;
  std::set<Subscription*> woken_ GUARDED_BY(mu_);  // subscriptions with a wake callback
  bool dirty_ GUARDED_BY(mu_) = false;             // a commit since the last computation started
  bool republish_ GUARDED_BY(mu_) = true;  // entries may be stale: stamp them all anew next time
  bool stopped_ GUARDED_BY(mu_) = false;
  // Started by the first Subscribe (with mu_ held, and never after stopped_
  // is set); Stop joins it after setting stopped_, so the two never race.
  std::thread thread_;
};

}  // namespace rotor::app
