// CheckpointPublisher: publishes each signed checkpoint of the log's Merkle
// tree (docs/audit.md) to a Kafka topic (`rotor.checkpoints`), so that
// auditors and witnesses can collect them with any Kafka client: key = the
// checkpoint's origin line, value = the signed note text (C2SP signed-note).
// The producer is idempotent with acks=all, as the event relay's (both
// required). librdkafka retries a delivery until it succeeds.
//
// A checkpoint is stored in the MerkleStore before it is published, so one
// whose delivery a crash cut short is still served by GET /v1/checkpoint.
// The publisher keeps the largest tree size the broker acknowledged in a
// file (`published_path`, format "rotor-checkpoints-published 1 <tree size>
// <SHA-256 hex of the note>", replaced atomically), so that rotord can
// publish again at start a checkpoint whose delivery a stop cut short
// (Notary, NotaryOptions::published_size).
//
// Thread safety: Publish, Flush and the accessors may be called from any
// thread (the notary's thread publishes).
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "services/kafka/client_config.h"
#include "services/kafka/relay_checkpoint.h"

namespace rotor::kafka {

class CheckpointPublisher {
 public:
  // `published_path`: the file of the largest acknowledged tree size ("":
  // none kept). Errors: kInvalidArgument (empty topic, a librdkafka
  // property); kCorruption or kIoError reading `published_path`.
  static Result<std::unique_ptr<CheckpointPublisher>> Create(const ClientSettings& client,
                                                             std::string topic,
                                                             std::string published_path = "");
  // Waits up to 5 s for checkpoints still in flight.
  ~CheckpointPublisher();
  CheckpointPublisher(const CheckpointPublisher&) = delete;
  CheckpointPublisher& operator=(const CheckpointPublisher&) = delete;

  // Queues `note` (a signed checkpoint of tree size `tree_size`) keyed by
  // its first line, the origin. Never blocks. Errors: kInvalidArgument (no
  // origin line), kIoError (librdkafka refused it, e.g. its queue is full).
  Status Publish(uint64_t tree_size, std::string_view note);

  // Waits up to `timeout` until every queued checkpoint was acknowledged.
  // Errors: kDeadlineExceeded (some are still in flight), kIoError (one
  // failed for good, named).
  Status Flush(std::chrono::milliseconds timeout);

  uint64_t delivered() const { return delivered_.load(std::memory_order_acquire); }
  // The largest tree size whose checkpoint the broker acknowledged, in this
  // run or (from `published_path`) an earlier one; 0 when none.
  uint64_t published_size() const { return published_size_.load(std::memory_order_acquire); }
  const std::string& topic() const { return topic_; }

 private:
  class Callbacks;
  CheckpointPublisher(std::string topic, std::string published_path);
  // Records an acknowledged checkpoint in the published file.
  void Delivered(uint64_t tree_size, std::string_view note);

  std::string topic_;
  std::unique_ptr<KafkaEvents> events_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<uint64_t> delivered_{0};
  std::optional<RelayCheckpointFile> published_file_;
  std::atomic<uint64_t> published_size_{0};
  Mutex mu_;                             // failure_, and writing the published file
  std::string failure_ GUARDED_BY(mu_);  // the first delivery that failed for good
};

}  // namespace rotor::kafka
