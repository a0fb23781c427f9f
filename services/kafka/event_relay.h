// EventRelay: publishes every event of the log, in log order, to a Kafka
// topic (`rotor.events`), from a durable checkpoint.
//
// It follows the log with a CatchUpSubscription starting after its
// checkpoint and produces each event with an idempotent producer
// (enable.idempotence=true, acks=all; both required, the user cannot turn
// them off): key = stream id, value = EncodeEnvelope bytes (the published
// rotor.v1.EventEnvelope), headers `rotor-event-type` and `rotor-sequence`
// (decimal), timestamp = the event's recorded_at. Delivery reports advance
// the acknowledged position: the last sequence S such that the broker
// acknowledged every event 1..S. That position (with the event's hash) is
// written to a RelayCheckpointFile at most every `checkpoint_interval`, and
// when the relay stops. After a crash the relay resumes after the checkpoint:
// events between the checkpoint and the crash may be published again
// (repeats, in order), none is ever skipped. A consumer drops repeats by
// sequence (docs/kafka.md).
//
// librdkafka retries a delivery until it succeeds by default
// (message.timeout.ms=0), also across broker restarts. A delivery that fails
// for good (a message over the broker's size limit, an authorization error,
// or a finite message.timeout.ms that ran out) stops the relay with an error
// before the checkpoint passes it; its owner restarts it.
//
// Pipeline: by default Run()'s thread reads a batch from the subscription,
// encodes it (EncodeEnvelope), hands it to librdkafka and serves delivery
// reports. With `read_ahead` > 0 a second thread reads and encodes that many
// batches ahead; on the 2-core development machine that was slower (it
// competes with librdkafka's I/O thread), so it is off by default.
//
// Ownership: the relay reads `log` (which must outlive it) and owns its
// producer, read-ahead thread and checkpoint file. Thread safety: Run() is
// called from one thread (or by Start's thread); Stop() and every accessor
// may be called from any thread.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "events/event_log.h"
#include "events/record.h"
#include "events/subscription.h"
#include "services/kafka/client_config.h"
#include "services/kafka/relay_checkpoint.h"
#include "services/kafka/worker.h"

namespace rotor::kafka {

inline constexpr char kEventTypeHeader[] = "rotor-event-type";
inline constexpr char kSequenceHeader[] = "rotor-sequence";

struct EventRelayOptions {
  ClientSettings client;
  std::string topic = "rotor.events";
  std::string checkpoint_path;  // required; e.g. "<data dir>.relay-checkpoint"
  // Events read from the log per subscription batch.
  size_t read_batch = 2048;
  // Encoded batches a read-ahead thread keeps ready; 0: no read-ahead
  // thread, Run()'s thread reads and encodes between produce calls.
  size_t read_ahead = 0;
  // Bound on events produced but not yet acknowledged.
  size_t max_in_flight = 100000;
  // The checkpoint file is rewritten at most this often (two fsyncs each).
  std::chrono::milliseconds checkpoint_interval{100};
  // How long the caught-up relay waits for an append before checking Stop().
  std::chrono::milliseconds idle_wait{100};
  // On Stop(), how long to wait for outstanding deliveries.
  std::chrono::milliseconds stop_flush_timeout{10000};
};

// The relay's producer settings, also used by rotor-bench's raw producer loop.
// Defaults (the user may override): message.timeout.ms=0 (retry until
// delivered), partitioner=murmur2_random (the Java client's, so that a key
// lands on the same partition whichever client produced it).
Properties RelayProducerDefaults();
// Required: enable.idempotence=true, acks=all.
Properties RelayProducerRequired();

class EventRelay {
 public:
  // Loads the checkpoint, checks it against `log` and creates the producer.
  // Errors: kInvalidArgument (options, a librdkafka property), kCorruption
  // (checkpoint file), kFailedPrecondition (the checkpoint is ahead of the
  // log or names another event's hash: a different log), kIoError.
  static Result<std::unique_ptr<EventRelay>> Create(const EventLog& log, EventRelayOptions options);
  ~EventRelay();
  EventRelay(const EventRelay&) = delete;
  EventRelay& operator=(const EventRelay&) = delete;

  // Publishes until Stop() (returns OK after flushing and storing the
  // checkpoint) or an error: kCancelled (the log closed), kCorruption or
  // kInternal from the log, kIoError (a checkpoint write, a delivery that
  // failed for good, naming the sequence and librdkafka's error, or a fatal
  // producer error). Call it once per relay.
  Status Run();
  // Runs Run() on a background thread; Stop() ends and joins it.
  void Start();
  void Stop();

  // The error that stopped Run(); OK while running or after a clean stop.
  Status status() const { return worker_.status(); }
  bool running() const { return worker_.running(); }

  // Metrics.
  uint64_t checkpoint() const { return durable_.load(std::memory_order_acquire); }
  uint64_t acknowledged() const { return acked_.load(std::memory_order_acquire); }
  uint64_t produced() const { return produced_.load(std::memory_order_acquire); }
  uint64_t lag() const;  // the log's head minus acknowledged()
  uint64_t deliveries() const { return deliveries_.load(std::memory_order_relaxed); }
  uint64_t delivery_errors() const { return delivery_errors_.load(std::memory_order_relaxed); }
  uint64_t checkpoint_writes() const { return checkpoint_writes_.load(std::memory_order_relaxed); }

 private:
  class Callbacks;
  class ReadAhead;
  struct InFlight {
    bool acked = false;
    Sha256Digest hash{};
  };

  EventRelay(const EventLog& log, EventRelayOptions options, RelayPosition position);
  // Run()'s work: Loop(), then flush what is in flight and store the
  // checkpoint. Errors: as Run().
  Status Publish();
  Status Loop();
  // Hands one event to librdkafka (key the stream id, value the envelope),
  // serving delivery reports while its queue is full. Errors: kIoError.
  Status Produce(const PublishableRecord& message);
  // Relay thread, from a delivery report.
  void OnDelivery(uint64_t sequence, RdKafka::ErrorCode error, const std::string& reason);
  // Stores the acknowledged position if it moved and `force` or the interval passed.
  Status MaybeStoreCheckpoint(bool force);

  const EventLog& log_;
  const EventRelayOptions options_;
  RelayCheckpointFile file_;
  std::unique_ptr<KafkaEvents> events_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::unique_ptr<CatchUpSubscription> subscription_;

  // Relay thread only.
  std::deque<InFlight> in_flight_;  // sequences acknowledged()+1 .. produced()
  RelayPosition acked_position_;
  std::chrono::steady_clock::time_point last_store_{};
  Status delivery_failure_;

  std::atomic<uint64_t> durable_{0};
  std::atomic<uint64_t> acked_{0};
  std::atomic<uint64_t> produced_{0};
  std::atomic<uint64_t> deliveries_{0};
  std::atomic<uint64_t> delivery_errors_{0};
  std::atomic<uint64_t> checkpoint_writes_{0};
  Worker worker_{"event relay"};  // last: its thread is joined before the rest goes
};

}  // namespace rotor::kafka
