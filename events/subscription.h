// CatchUpSubscription: reads the log from a position, historical events first,
// then live ones as they are appended.
//
// Pull-based: Next() returns the next batch (at most `batch_capacity` events).
// Historical and live events come from the log itself, so a slow subscriber
// holds at most one batch in memory however far it falls behind; when it is
// caught up, Next() sleeps on the log's append signal (no polling loop).
//
// Thread safety: one thread calls Next(); Cancel() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "events/event_log.h"

namespace rotor {

class CatchUpSubscription {
 public:
  // Delivers events with sequence >= `from` (1 = from the start). `log` must
  // outlive the subscription.
  CatchUpSubscription(const EventLog& log, uint64_t from, size_t batch_capacity = 1024);

  // Fills `out` (cleared first) with the next events in sequence order, waiting
  // up to `timeout` for an append when caught up; `out` is empty on timeout.
  // The events `out` held and those of earlier batches are reused, so that
  // their strings keep their capacity: a subscriber that passes the same
  // vector to every call decodes without allocating in the steady state.
  // Errors: kCancelled after Cancel() or when the log closed; kCorruption
  // naming the sequence number; kInternal on a gap in the sequence.
  Status Next(std::vector<RecordedEvent>* out, std::chrono::milliseconds timeout);

  // As Next, but hands each record's stored bytes (hash || canonical, see
  // events/record.h) to `visit` instead of decoding them, for readers that
  // pass records on (the Kafka relay); the bytes are valid during the call.
  // Sets *count to the number visited. An error from `visit` stops the batch
  // and is returned; the position then follows the last record visited
  // without error.
  Status NextStored(std::chrono::milliseconds timeout,
                    const std::function<Status(uint64_t sequence, std::string_view stored)>& visit,
                    size_t* count);

  // The sequence of the next event to deliver.
  uint64_t position() const { return next_; }
  // Events between the position and the log's head.
  uint64_t lag() const;

  // Makes Next() return kCancelled, waking it if it is waiting for an append.
  void Cancel();

 private:
  // Waits up to `timeout` when caught up. Returns kCancelled, or Ok with
  // *ready false when nothing was appended in time.
  Status AwaitNext(std::chrono::milliseconds timeout, bool* ready);

  const EventLog& log_;
  uint64_t next_;
  size_t batch_capacity_;
  std::atomic<bool> cancelled_{false};
  // Events of earlier batches that the last one did not need: moved out of
  // `out` so that their strings keep their buffers for the next batch.
  std::vector<RecordedEvent> spare_;
};

}  // namespace rotor
