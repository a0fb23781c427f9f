#include "events/event_log.h"

namespace rotor {

Status ExpectedVersion::Check(std::string_view stream_id, uint64_t current) const {
  if (kind_ == kAny || current == version_) return Status::Ok();
  std::string m = "stream '" + std::string(stream_id) + "': expected version ";
  m += version_ == 0 ? "0 (no stream)" : std::to_string(version_);
  m += ", actual " + std::to_string(current);
  return Status::Conflict(std::move(m));
}

Status ValidateAppendRequest(const AppendRequest& request) {
  if (request.stream_id.empty()) return Status::InvalidArgument("stream id is empty");
  if (request.stream_id.size() > kMaxStreamIdLength) {
    return Status::InvalidArgument("stream id is longer than " +
                                   std::to_string(kMaxStreamIdLength) + " bytes");
  }
  if (request.stream_id.find('\0') != std::string::npos) {
    return Status::InvalidArgument("stream id contains a NUL byte");
  }
  if (request.events.empty()) {
    return Status::InvalidArgument("append to '" + request.stream_id + "' has no events");
  }
  if (request.events.size() > kMaxEventsPerAppend) {
    return Status::InvalidArgument("append to '" + request.stream_id + "' has " +
                                   std::to_string(request.events.size()) + " events, more than " +
                                   std::to_string(kMaxEventsPerAppend));
  }
  for (size_t i = 0; i < request.events.size(); ++i) {
    if (request.events[i].event_type.empty()) {
      return Status::InvalidArgument("append to '" + request.stream_id + "': event " +
                                     std::to_string(i) + " has no event type");
    }
  }
  return Status::Ok();
}

AppendResult SealAppend(const AppendRequest& request, uint64_t first_sequence,
                        uint64_t current_version, Sha256Digest* last_hash,
                        std::vector<std::pair<uint64_t, std::string>>* out) {
  RecordedEvent record;
  record.stream_id = request.stream_id;
  record.idempotency_key = request.idempotency_key;
  uint64_t sequence = first_sequence;
  uint64_t version = current_version;
  for (const NewEvent& e : request.events) {
    record.sequence = sequence;
    record.stream_version = ++version;
    record.event_type = e.event_type;
    record.recorded_at = e.recorded_at;
    record.actor = e.actor;
    record.correlation_id = e.correlation_id;
    record.causation_id = e.causation_id;
    record.payload = e.payload;
    record.prev_hash = *last_hash;
    out->emplace_back(sequence, SealRecord(record));
    *last_hash = record.hash;
    ++sequence;
  }
  return AppendResult{first_sequence, sequence - 1, version, false};
}

Status EventLog::Read(uint64_t from, Direction direction, size_t max,
                      std::vector<RecordedEvent>* out) const {
  out->clear();
  if (max == 0) return Status::Ok();
  Status decode_status;
  uint64_t head = Head();
  Status scan = ScanStored(from, direction, [&](uint64_t seq, std::string_view value) {
    if (seq > head) return direction == Direction::kBackward;  // not yet published
    out->emplace_back();
    decode_status = DecodeStoredRecord(seq, value, &out->back());
    return decode_status.ok() && out->size() < max;
  });
  ROTOR_RETURN_IF_ERROR(scan);
  if (!decode_status.ok()) out->pop_back();
  return decode_status;
}

Status EventLog::ForEach(uint64_t from,
                         const std::function<bool(const RecordedEvent&)>& visit) const {
  RecordedEvent event;
  Status decode_status;
  uint64_t head = Head();
  Status scan = ScanStored(from, Direction::kForward, [&](uint64_t seq, std::string_view value) {
    if (seq > head) return false;
    decode_status = DecodeStoredRecord(seq, value, &event);
    return decode_status.ok() && visit(event);
  });
  ROTOR_RETURN_IF_ERROR(scan);
  return decode_status;
}

Status EventLog::ReadStream(std::string_view stream_id, uint64_t from_version, size_t max,
                            std::vector<RecordedEvent>* out) const {
  out->clear();
  std::vector<uint64_t> sequences;
  ROTOR_RETURN_IF_ERROR(StreamSequences(stream_id, from_version, max, &sequences));
  out->reserve(sequences.size());
  for (uint64_t seq : sequences) {
    out->emplace_back();
    Status s = ReadOne(seq, &out->back());
    if (!s.ok()) {
      out->pop_back();
      return s.WithContext("stream '" + std::string(stream_id) + "'");
    }
  }
  return Status::Ok();
}

std::vector<Result<AppendResult>> EventLog::AppendEach(std::vector<AppendRequest> requests) {
  std::vector<Result<AppendResult>> results;
  results.reserve(requests.size());
  for (AppendRequest& request : requests) results.push_back(Append(std::move(request)));
  return results;
}

uint64_t EventLog::WaitForAppend(uint64_t after, std::chrono::milliseconds timeout,
                                 const std::atomic<bool>* stop) const {
  // At most a year: a deadline past the clock's range would overflow.
  auto deadline = std::chrono::steady_clock::now() +
                  std::min<std::chrono::milliseconds>(timeout, std::chrono::hours(24 * 366));
  MutexLock lock(&wait_mu_);
  ++waiters_;
  while (Head() <= after && !closed() &&
         (stop == nullptr || !stop->load(std::memory_order_acquire))) {
    if (!appended_.WaitUntil(&wait_mu_, deadline)) break;
  }
  --waiters_;
  return Head();
}

size_t EventLog::waiters() const {
  MutexLock lock(&wait_mu_);
  return waiters_;
}

void EventLog::WakeWaiters() const {
  // Taking the mutex orders the caller's flag store before any waiter's
  // check of its predicate: the waiter either sees the flag or is woken.
  { MutexLock lock(&wait_mu_); }
  appended_.SignalAll();
}

void EventLog::Close() {
  {
    MutexLock lock(&wait_mu_);
    closed_.store(true, std::memory_order_release);
  }
  appended_.SignalAll();
}

void EventLog::PublishHead(uint64_t head) {
  {
    MutexLock lock(&wait_mu_);
    // Appenders may publish out of order (MemoryEventLog publishes after
    // releasing its own lock): the head only moves forward.
    if (head > head_.load(std::memory_order_relaxed)) head_.store(head, std::memory_order_release);
  }
  appended_.SignalAll();
}

}  // namespace rotor
