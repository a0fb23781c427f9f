#include "events/subscription.h"

#include "events/record.h"

namespace rotor {

CatchUpSubscription::CatchUpSubscription(const EventLog& log, uint64_t from, size_t batch_capacity)
    : log_(log),
      next_(from == 0 ? 1 : from),
      batch_capacity_(batch_capacity == 0 ? 1 : batch_capacity) {}

uint64_t CatchUpSubscription::lag() const {
  uint64_t head = log_.Head();
  return head >= next_ ? head - next_ + 1 : 0;
}

void CatchUpSubscription::Cancel() {
  cancelled_.store(true, std::memory_order_release);
  log_.WakeWaiters();
}

Status CatchUpSubscription::AwaitNext(std::chrono::milliseconds timeout, bool* ready) {
  *ready = false;
  if (cancelled_.load(std::memory_order_acquire)) {
    return Status::Cancelled("subscription cancelled");
  }
  if (log_.Head() < next_) {
    log_.WaitForAppend(next_ - 1, timeout, &cancelled_);
    if (cancelled_.load(std::memory_order_acquire)) {
      return Status::Cancelled("subscription cancelled");
    }
    if (log_.Head() < next_) {
      return log_.closed() ? Status::Cancelled("event log closed") : Status::Ok();
    }
  }
  *ready = true;
  return Status::Ok();
}

Status CatchUpSubscription::NextStored(
    std::chrono::milliseconds timeout,
    const std::function<Status(uint64_t sequence, std::string_view stored)>& visit, size_t* count) {
  *count = 0;
  bool ready = false;
  ROTOR_RETURN_IF_ERROR(AwaitNext(timeout, &ready));
  if (!ready) return Status::Ok();
  uint64_t head = log_.Head();
  Status result;
  ROTOR_RETURN_IF_ERROR(
      log_.ScanStored(next_, Direction::kForward, [&](uint64_t seq, std::string_view stored) {
        if (seq > head) return false;  // not yet published
        if (seq != next_) {
          result = Status::Internal("gap in the log: expected sequence " + std::to_string(next_) +
                                    ", found " + std::to_string(seq));
          return false;
        }
        result = visit(seq, stored);
        if (!result.ok()) return false;
        ++next_;
        return ++*count < batch_capacity_;
      }));
  return result;
}

Status CatchUpSubscription::Next(std::vector<RecordedEvent>* out,
                                 std::chrono::milliseconds timeout) {
  uint64_t from = next_;
  size_t used = 0;
  size_t count = 0;
  Status read = NextStored(
      timeout,
      [&](uint64_t sequence, std::string_view stored) {
        if (used == out->size()) {
          if (spare_.empty()) {
            out->emplace_back();
          } else {
            out->push_back(std::move(spare_.back()));
            spare_.pop_back();
          }
        }
        return DecodeStoredRecord(sequence, stored, &(*out)[used++]);
      },
      &count);
  if (!read.ok()) {  // a failed batch delivers nothing and keeps the position
    used = 0;
    next_ = from;
  }
  // Moved-from strings hold no buffer: shrinking `out` frees nothing.
  for (size_t i = used; i < out->size(); ++i) spare_.push_back(std::move((*out)[i]));
  out->resize(used);
  return read;
}

}  // namespace rotor
