// EventLog: Rotor's append-only, hash-chained event log.
//
// Every event has a global, gapless sequence (1, 2, 3, ...) and a version in
// its stream (1, 2, 3, ...). Appends go to one stream with an expected
// version (optimistic concurrency) and optionally an idempotency key. Each
// record's hash chains it to the previous one (events/record.h), so Verify()
// can prove that nothing was altered, removed or reordered.
//
// Implementations: RocksDbEventLog (the product's store, durable, group
// commit) and MemoryEventLog (tests). Both pass tests/events/event_log_conformance_test.cc.
//
// Thread safety: all methods are safe to call concurrently. Close() wakes every
// waiter; after it, Append returns kCancelled.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "events/record.h"

namespace rotor {

// What the appender believes the stream's current version is.
class ExpectedVersion {
 public:
  // Append whatever the stream's version.
  static ExpectedVersion Any() { return ExpectedVersion(kAny, 0); }
  // Append only if the stream has no events yet.
  static ExpectedVersion NoStream() { return ExpectedVersion(kExact, 0); }
  // Append only if the stream's version is exactly `version` (0 = no stream).
  static ExpectedVersion Exact(uint64_t version) { return ExpectedVersion(kExact, version); }

  bool any() const { return kind_ == kAny; }
  uint64_t version() const { return version_; }
  // Checks `current` against the expectation. Errors: kConflict naming the stream.
  Status Check(std::string_view stream_id, uint64_t current) const;

 private:
  enum Kind { kAny, kExact };
  ExpectedVersion(Kind kind, uint64_t version) : kind_(kind), version_(version) {}
  Kind kind_;
  uint64_t version_;
};

struct AppendRequest {
  std::string stream_id;
  ExpectedVersion expected = ExpectedVersion::Any();
  std::vector<NewEvent> events;
  // When set and already used, Append returns the original result and writes nothing.
  std::string idempotency_key;
};

struct AppendResult {
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  uint64_t stream_version = 0;  // the stream's version after the append
  bool duplicate = false;       // true when the idempotency key was seen before
};

enum class Direction { kForward, kBackward };

// Upper bound on events in one append and on a stream id's length.
inline constexpr size_t kMaxEventsPerAppend = 100000;
inline constexpr size_t kMaxStreamIdLength = 512;
inline constexpr uint64_t kHeadSequence = std::numeric_limits<uint64_t>::max();

class EventLog {
 public:
  virtual ~EventLog() = default;
  EventLog() = default;
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends `request.events` (at least one) to one stream, atomically and
  // durably. Returns the positions written. Errors: kInvalidArgument (empty
  // batch, bad stream id, missing event type), kConflict (expected version
  // mismatch; nothing written), kIoError, kCancelled (closed).
  virtual Result<AppendResult> Append(AppendRequest request) = 0;

  // Appends every request as Append would, each on its own terms: its own
  // stream, expected version and idempotency key; one request's conflict or
  // bad field refuses that request only. Requests are sealed in order (a
  // later request to the same stream sees the earlier one's events). Returns
  // one result per request, errors as Append's. RocksDbEventLog makes one
  // synced write for all of them, which is how a batch of commands over many
  // streams (agent reports) costs one fsync. The default appends one by one.
  virtual std::vector<Result<AppendResult>> AppendEach(std::vector<AppendRequest> requests);

  // Visits stored records in sequence order from `from` (inclusive; with
  // kBackward, kHeadSequence means the head) until `visit` returns false or
  // the log ends. Values are the stored bytes (hash || canonical). Verify()
  // and the readers below are built on this.
  virtual Status ScanStored(
      uint64_t from, Direction direction,
      const std::function<bool(uint64_t sequence, std::string_view value)>& visit) const = 0;

  // The sequences of one stream's events with version >= from_version, in
  // version order, at most `max`. Errors: kInvalidArgument (bad stream id).
  virtual Status StreamSequences(std::string_view stream_id, uint64_t from_version, size_t max,
                                 std::vector<uint64_t>* out) const = 0;

  // Reads one stored record. Errors: kNotFound, kCorruption.
  virtual Status ReadOne(uint64_t sequence, RecordedEvent* out) const = 0;

  // The stream's current version; 0 when it has no events.
  virtual Result<uint64_t> StreamVersion(std::string_view stream_id) const = 0;

  // The sequence of the last appended event; 0 for an empty log.
  uint64_t Head() const { return head_.load(std::memory_order_acquire); }

  // Reads up to `max` events starting at `from`, in `direction`, into `out`
  // (cleared first). Errors: kCorruption naming the sequence number.
  Status Read(uint64_t from, Direction direction, size_t max,
              std::vector<RecordedEvent>* out) const;

  // Visits events from `from` forward, reusing one RecordedEvent, until
  // `visit` returns false. Errors: kCorruption naming the sequence number.
  Status ForEach(uint64_t from, const std::function<bool(const RecordedEvent&)>& visit) const;

  // Reads up to `max` events of one stream from `from_version` (1-based).
  Status ReadStream(std::string_view stream_id, uint64_t from_version, size_t max,
                    std::vector<RecordedEvent>* out) const;

  // Blocks until Head() > `after`, the timeout passes, Close(), or `*stop`
  // (when given) is true and WakeWaiters() was called. Returns Head().
  uint64_t WaitForAppend(uint64_t after, std::chrono::milliseconds timeout,
                         const std::atomic<bool>* stop = nullptr) const;

  // Wakes every WaitForAppend to check its condition again: set a waiter's
  // `stop` flag, then call this.
  void WakeWaiters() const;
  // How many threads are blocked in WaitForAppend now. Tests use it to act
  // once a reader is waiting, instead of sleeping.
  size_t waiters() const;

  // Wakes all waiters and refuses further appends.
  void Close();
  bool closed() const { return closed_.load(std::memory_order_acquire); }

 protected:
  // Implementations call this after an append is durable. The head only
  // moves forward: publishing a lower head than the current one is a no-op.
  void PublishHead(uint64_t head);

 private:
  std::atomic<uint64_t> head_{0};
  std::atomic<bool> closed_{false};
  mutable Mutex wait_mu_;
  mutable CondVar appended_;
  mutable size_t waiters_ GUARDED_BY(wait_mu_) = 0;
};

// Checks an append request's shape. Errors: kInvalidArgument naming the field.
Status ValidateAppendRequest(const AppendRequest& request);

// Turns a request into sealed records starting at `first_sequence` and stream
// version `current_version + 1`, chained from `*last_hash` (updated). Appends
// (sequence, stored value) pairs to `out` and returns the AppendResult.
AppendResult SealAppend(const AppendRequest& request, uint64_t first_sequence,
                        uint64_t current_version, Sha256Digest* last_hash,
                        std::vector<std::pair<uint64_t, std::string>>* out);

}  // namespace rotor
