// CheckpointPublisher: publishes each signed checkpoint of the log's Merkle
// tree (docs/audit.md) to a Kafka topic (`rotor.checkpoints`), so that
// auditors and witnesses can collect them with any Kafka client: key = the
// checkpoint's origin line, value = the signed note text (C2SP signed-note).
// The producer is idempotent with acks=all, as the event relay's (both
// required). librdkafka retries a delivery until it succeeds.
//
// A checkpoint is stored in the MerkleStore before it is published, so one
// whose delivery a crash cut short is still served by GET /v1/checkpoint,
// and the next one signed covers the same records and more.
//
// Thread safety: Publish, Flush and the accessors may be called from any
// thread (the notary's thread publishes).
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "services/kafka/client_config.h"

namespace rotor::kafka {

class CheckpointPublisher {
 public:
  // Errors: kInvalidArgument (empty topic, a librdkafka property).
  static Result<std::unique_ptr<CheckpointPublisher>> Create(const ClientSettings& client,
                                                             std::string topic);
  // Waits up to 5 s for checkpoints still in flight.
  ~CheckpointPublisher();
  CheckpointPublisher(const CheckpointPublisher&) = delete;
  CheckpointPublisher& operator=(const CheckpointPublisher&) = delete;

  // Queues `note` (a signed checkpoint) keyed by its first line, the origin.
  // Never blocks. Errors: kInvalidArgument (no origin line), kIoError
  // (librdkafka refused it, e.g. its queue is full).
  Status Publish(std::string_view note);

  // Waits up to `timeout` until every queued checkpoint was acknowledged.
  // Errors: kDeadlineExceeded (some are still in flight), kIoError (one
  // failed for good, named).
  Status Flush(std::chrono::milliseconds timeout);

  uint64_t delivered() const { return delivered_.load(std::memory_order_acquire); }
  const std::string& topic() const { return topic_; }

 private:
  class Callbacks;
  explicit CheckpointPublisher(std::string topic);

  std::string topic_;
  std::unique_ptr<KafkaEvents> events_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<uint64_t> delivered_{0};
  Mutex mu_;
  std::string failure_ GUARDED_BY(mu_);  // the first delivery that failed for good
};

}  // namespace rotor::kafka
