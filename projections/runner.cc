#include "projections/runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "base/thread_priority.h"
#include "projections/fold.h"
#include "projections/snapshot.h"

namespace rotor::projections {

ProjectionRunner::ProjectionRunner(const EventLog& log, ProjectionStore& store,
                                   Projection& projection, RunnerOptions options)
    : log_(log), store_(store), projection_(projection), options_(std::move(options)) {
  if (options_.batch_size == 0) options_.batch_size = 1;
}

ProjectionRunner::~ProjectionRunner() { Stop(); }

Status ProjectionRunner::Fail(Status s) {
  if (s.code() == StatusCode::kInternal) gaps_.fetch_add(1, std::memory_order_acq_rel);
  spdlog::error("projection '{}' stopped: {}", projection_.name(), s.ToString());
  MutexLock lock(&status_mu_);
  status_ = s;
  return s;
}

Status ProjectionRunner::Open() {
  Result<std::unique_ptr<KvReader>> reader = store_.NewReader(projection_.name());
  if (!reader.ok()) return reader.status();
  Checkpoint cp;
  Status cp_status;
  ROTOR_RETURN_IF_ERROR(
      (*reader)->Scan(kCheckpointKey, [&](std::string_view key, std::string_view value) {
        if (key != kCheckpointKey) return true;
        Result<Checkpoint> decoded = DecodeCheckpoint(value);
        if (decoded.ok()) cp = *decoded;
        cp_status = decoded.status();
        return false;
      }));
  ROTOR_RETURN_IF_ERROR(cp_status);
  if (cp.sequence > log_.Head()) {
    return Status::FailedPrecondition("projection '" + std::string(projection_.name()) +
                                      "' is at sequence " + std::to_string(cp.sequence) +
                                      ", past the log's head " + std::to_string(log_.Head()) +
                                      ": rebuild it");
  }
  if (cp.sequence > 0) {
    RecordedEvent at;
    ROTOR_RETURN_IF_ERROR(log_.ReadOne(cp.sequence, &at));
    if (at.hash != cp.hash) {
      return Status::FailedPrecondition("projection '" + std::string(projection_.name()) +
                                        "' was built from another log (hash at sequence " +
                                        std::to_string(cp.sequence) + " differs): rebuild it");
    }
  }
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    ROTOR_RETURN_IF_ERROR(projection_.Load(**reader));
    projection_.set_track_changes(true);
    subscription_ =
        std::make_unique<CatchUpSubscription>(log_, cp.sequence + 1, options_.batch_size);
  }
  {
    MutexLock lock(&status_mu_);
    checkpoint_ = cp;
    status_ = Status::Ok();
  }
  opened_ = true;
  return Status::Ok();
}

Status ProjectionRunner::ApplyBatch(const std::vector<RecordedEvent>& batch) {
  const uint64_t every = options_.snapshot_every_events;
  std::span<const RecordedEvent> rest(batch);
  while (!rest.empty()) {
    size_t n = rest.size();
    if (every > 0) {
      auto due = std::find_if(rest.begin(), rest.end(),
                              [every](const RecordedEvent& r) { return r.sequence % every == 0; });
      if (due != rest.end()) n = static_cast<size_t>(due - rest.begin()) + 1;
    }
    ROTOR_RETURN_IF_ERROR(ApplyPart(rest.first(n)));
    if (every > 0 && rest[n - 1].sequence % every == 0) Snapshot(checkpoint());
    rest = rest.subspan(n);
  }
  return Status::Ok();
}

void ProjectionRunner::Snapshot(const Checkpoint& at) {
  WaitForSnapshot();
  // The committed state as it is now, at `at`: later commits do not change it.
  Result<std::unique_ptr<KvReader>> state = store_.NewReader(projection_.name());
  if (!state.ok()) {
    spdlog::warn("projection '{}': snapshot at sequence {}: {}", projection_.name(), at.sequence,
                 state.status().ToString());
    return;
  }
  snapshot_thread_ = std::thread([this, at, reader = std::move(*state)] {
    LowerThisThreadPriority();  // requests first
    Result<size_t> bytes = TakeSnapshot(store_, projection_.name(), at, *reader);
    Status s = bytes.ok() ? ThinSnapshots(store_, projection_.name(),
                                          options_.snapshot_every_events, options_.snapshots_dense)
                          : bytes.status();
    if (!s.ok()) {
      spdlog::warn("projection '{}': snapshot at sequence {}: {}", projection_.name(), at.sequence,
                   s.ToString());
      return;
    }
    snapshots_.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("projection '{}': snapshot at sequence {} ({} bytes)", projection_.name(),
                 at.sequence, *bytes);
  });
}

void ProjectionRunner::WaitForSnapshot() {
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

Status ProjectionRunner::ApplyPart(std::span<const RecordedEvent> batch) {
  Result<std::unique_ptr<StoreBatch>> write = store_.NewBatch(projection_.name());
  if (!write.ok()) return Fail(write.status());
  Status decode_error;
  size_t n = 0;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    for (const RecordedEvent& record : batch) {
      Result<const Event*> event = decoder_.Decode(record);
      if (!event.ok()) {
        decode_error = event.status();
        break;
      }
      projection_.Apply(record, **event);
      ++n;
    }
    if (n > 0) projection_.WriteChanges(**write);
  }
  if (n > 0) {
    const RecordedEvent& last = batch[n - 1];
    Checkpoint cp{last.sequence, last.recorded_at, last.hash};
    Status committed = store_.Commit(**write, cp);
    if (!committed.ok()) {
      // Memory is ahead of the store now: the next Open reloads the store.
      opened_ = false;
      return Fail(committed);
    }
    {
      MutexLock lock(&status_mu_);
      checkpoint_ = cp;
    }
    events_.fetch_add(n, std::memory_order_relaxed);
    batches_.fetch_add(1, std::memory_order_relaxed);
    if (options_.on_commit) options_.on_commit(cp);
  }
  if (!decode_error.ok()) {
    opened_ = false;  // the subscription moved past the event that failed
    return Fail(decode_error);
  }
  return Status::Ok();
}

Status ProjectionRunner::CatchUp() {
  if (!opened_) ROTOR_RETURN_IF_ERROR(Open());
  uint64_t head = log_.Head();
  while (checkpoint().sequence < head) {
    Status s = subscription_->Next(&batch_, std::chrono::milliseconds(0));
    if (!s.ok()) return Fail(s);
    if (batch_.empty()) return Fail(Status::Internal("log ended before its head"));
    Status applied = ApplyBatch(batch_);
    if (!applied.ok()) {
      WaitForSnapshot();
      return applied;
    }
  }
  WaitForSnapshot();
  return Status::Ok();
}

Status ProjectionRunner::Run() {
  if (!opened_) ROTOR_RETURN_IF_ERROR(Open());
  while (!stopping_.load(std::memory_order_acquire)) {
    Status s = subscription_->Next(&batch_, options_.wait);
    if (!s.ok()) {
      if (s.code() == StatusCode::kCancelled && stopping_.load(std::memory_order_acquire)) break;
      return Fail(s);
    }
    if (!batch_.empty()) ROTOR_RETURN_IF_ERROR(ApplyBatch(batch_));
  }
  return Status::Ok();
}

void ProjectionRunner::Start() {
  stopping_.store(false, std::memory_order_release);
  thread_ = std::thread([this] { (void)Run(); });
}

void ProjectionRunner::Stop() {
  stopping_.store(true, std::memory_order_release);
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    if (subscription_ != nullptr) subscription_->Cancel();
  }
  if (thread_.joinable()) thread_.join();
  WaitForSnapshot();
}

Status ProjectionRunner::Rebuild() {
  Result<std::unique_ptr<StoreBatch>> write = store_.NewBatch(projection_.name());
  if (!write.ok()) return Fail(write.status());
  Result<FoldResult> folded = Status::Internal("not folded");
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    projection_.Clear();
    projection_.set_track_changes(false);
    Projection* target[] = {&projection_};
    folded = FoldLog(log_, 1, FoldLimit::Head(), target);
    if (folded.ok()) {
      (*write)->ClearAll();
      projection_.WriteAll(**write);
    }
  }
  Status s = folded.ok() ? store_.Commit(**write, folded->last) : folded.status();
  if (!s.ok()) {
    Status reopened = Open();  // back to the stored state
    if (!reopened.ok()) spdlog::error("reloading after a failed rebuild: {}", reopened.ToString());
    return Fail(s);
  }
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    projection_.set_track_changes(true);
    subscription_ =
        std::make_unique<CatchUpSubscription>(log_, folded->last.sequence + 1, options_.batch_size);
  }
  {
    MutexLock lock(&status_mu_);
    checkpoint_ = folded->last;
    status_ = Status::Ok();
  }
  opened_ = true;
  events_.fetch_add(folded->events, std::memory_order_relaxed);
  batches_.fetch_add(1, std::memory_order_relaxed);
  if (options_.on_commit) options_.on_commit(folded->last);
  return Status::Ok();
}

Checkpoint ProjectionRunner::checkpoint() const {
  MutexLock lock(&status_mu_);
  return checkpoint_;
}

Status ProjectionRunner::status() const {
  MutexLock lock(&status_mu_);
  return status_;
}

Lag ProjectionRunner::lag() const {
  Checkpoint cp = checkpoint();
  uint64_t head = log_.Head();
  Lag lag;
  if (head <= cp.sequence) return lag;
  lag.events = head - cp.sequence;
  RecordedEvent at_head;
  if (log_.ReadOne(head, &at_head).ok() && at_head.recorded_at > cp.recorded_at) {
    lag.seconds = std::chrono::duration<double>(at_head.recorded_at - cp.recorded_at).count();
  }
  return lag;
}

}  // namespace rotor::projections
