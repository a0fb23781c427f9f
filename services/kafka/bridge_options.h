// The settings of rotor-kafka-bridge (and, later, of rotord's Kafka
// section): which clients to run, brokers, topics, group, batching and the
// librdkafka pass-through. Read from a config file of "key = value" lines
// (docs/kafka.md lists the keys) and overridden by command-line flags.
// Value type; thread-compatible.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "services/kafka/event_relay.h"
#include "services/kafka/report_consumer.h"

namespace rotor::kafka {

struct BridgeOptions {
  std::string data_dir;   // the RocksDbEventLog directory
  bool relay = true;      // publish the log to events_topic
  bool consume = true;    // consume reports_topic
  ClientSettings client;  // brokers, client.id, librdkafka pass-through
  std::string events_topic = "rotor.events";
  std::string reports_topic = "rotor.agent-reports";
  std::string dlq_topic = "rotor.agent-reports.dlq";
  // rotord publishes its signed checkpoints here (CheckpointPublisher).
  std::string checkpoints_topic = "rotor.checkpoints";
  std::string group = "rotord";
  std::string checkpoint_path;  // "" = data_dir + ".relay-checkpoint"
  size_t batch_max = 5000;
  std::chrono::milliseconds batch_wait{50};
  // Reports dated further ahead of the clock are rejected (ReportIngestor).
  std::chrono::seconds max_clock_skew{300};

  // The relay's checkpoint file: checkpoint_path, or next to the data dir.
  std::string CheckpointPath() const;
  EventRelayOptions RelayOptions() const;
  ReportConsumerOptions ConsumerOptions() const;
};

// Applies one setting. Keys: data.dir, brokers, client.id, relay, consume
// (true/false), events.topic, reports.topic, dlq.topic, checkpoints.topic, group,
// relay.checkpoint, consumer.batch.max, consumer.batch.wait.ms,
// consumer.max.clock.skew.s,
// and librdkafka.<property> (passed through). Errors:
// kInvalidArgument naming the key (unknown key, bad number or boolean).
Status ApplySetting(std::string_view key, std::string_view value, BridgeOptions* options);

// Applies every "key = value" line of `path` ('#' starts a comment, blank
// lines are ignored). Errors: kIoError (cannot read), kInvalidArgument
// naming the file and line.
Status ApplyConfigFile(const std::string& path, BridgeOptions* options);

// Checks that the options make sense together. Errors: kInvalidArgument.
Status ValidateBridgeOptions(const BridgeOptions& options);

}  // namespace rotor::kafka
