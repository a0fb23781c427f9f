// DeadLetterProducer: sends messages Rotor could not use to a dead-letter
// topic (`rotor.agent-reports.dlq`), unchanged (key, value, timestamp and
// headers), with headers saying why and where they came from:
//   rotor-error               the error, e.g. "invalid_argument: agent report r-1: ..."
//   rotor-original-topic      the topic the message was consumed from
//   rotor-original-partition  its partition (decimal)
//   rotor-original-offset     its offset (decimal)
// The producer is idempotent with acks=all. The consumer commits past a
// dead-lettered message only after Flush() confirmed its delivery, so nothing
// is dropped silently; a crash in between sends it again (a repeat).
//
// Thread-compatible: one consumer thread owns it.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "services/kafka/client_config.h"

namespace rotor::kafka {

inline constexpr char kErrorHeader[] = "rotor-error";
inline constexpr char kOriginalTopicHeader[] = "rotor-original-topic";
inline constexpr char kOriginalPartitionHeader[] = "rotor-original-partition";
inline constexpr char kOriginalOffsetHeader[] = "rotor-original-offset";

class DeadLetterProducer {
 public:
  // Errors: kInvalidArgument (empty topic, a librdkafka property).
  static Result<std::unique_ptr<DeadLetterProducer>> Create(const ClientSettings& client,
                                                            std::string topic);
  ~DeadLetterProducer();
  DeadLetterProducer(const DeadLetterProducer&) = delete;
  DeadLetterProducer& operator=(const DeadLetterProducer&) = delete;

  // Queues a copy of `original` with the error headers. Errors: kIoError
  // when librdkafka refuses it (e.g. bigger than message.max.bytes).
  Status Add(const RdKafka::Message& original, const std::string& error);

  // Waits up to `timeout` until every queued letter was acknowledged.
  // Errors: kDeadlineExceeded (still in flight: call again), kIoError (a
  // letter failed for good; the caller must not commit past it).
  Status Flush(std::chrono::milliseconds timeout);

  // Discards letters not yet delivered (shutdown); Flush() then succeeds.
  void Abandon();

  uint64_t delivered() const { return delivered_; }

 private:
  class Callbacks;
  explicit DeadLetterProducer(std::string topic);

  std::string topic_;
  std::unique_ptr<KafkaEvents> events_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::Producer> producer_;
  uint64_t outstanding_ = 0;
  uint64_t delivered_ = 0;
  Status failure_;
};

}  // namespace rotor::kafka
