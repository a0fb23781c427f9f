// The raw librdkafka loops that `rotor-bench kafka` measures Rotor's Kafka
// bridges against: a producer with the relay's settings, a consumer-group
// reader, and the minimum durable pipe (poll a batch, write its message bytes
// in one synced RocksDB WriteBatch, commit the offsets). Each call creates
// and destroys its own clients; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "services/kafka/client_config.h"

namespace rotor::bench {

// A random suffix for topic and group names, so that runs do not collide.
std::string Suffix();

// One message to produce: key, value, the relay's two headers (event type,
// sequence) and the timestamp (0: now).
struct Outgoing {
  std::string key, value, type, sequence;
  int64_t timestamp_ms;
};

// Produces `messages` to `topic` with the relay's producer settings
// (idempotent, acks=all); returns the seconds until every delivery was
// acknowledged. Errors: kInvalidArgument (bad settings), kIoError (a failed
// delivery or produce error).
Result<double> RawProduce(const kafka::ClientSettings& client, const std::string& topic,
                          const std::vector<Outgoing>& messages);

struct ConsumeTimes {
  double total = 0;        // from subscribe() to the last message: as the ingest side is timed
  double after_first = 0;  // from the first message to the last: without the group join
};

// Consumes `count` messages of `topic` in a fresh group, touching each
// payload. Errors: kInvalidArgument (bad settings).
Result<ConsumeTimes> RawConsume(const kafka::ClientSettings& client, const std::string& topic,
                                uint64_t count);

// The minimum durable work per report: in a fresh group, polls batches as
// ReportConsumer does (up to `batch_max` messages, or what arrives within
// `batch_wait_ms` of the first), writes each batch's message bytes as one
// RocksDB WriteBatch with sync=true (one key per message: partition and
// offset) into a new database at `db_path` (RocksDB's default options), then
// commits the batch's offsets asynchronously (synchronously after the last).
// Returns the seconds from subscribe() to the last commit. Errors:
// kInvalidArgument (bad settings), kIoError (RocksDB, or the final commit).
Result<double> RawDurablePipe(const kafka::ClientSettings& client, const std::string& topic,
                              uint64_t count, size_t batch_max, int batch_wait_ms,
                              const std::string& db_path);

}  // namespace rotor::bench
