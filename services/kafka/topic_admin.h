// Topic administration through librdkafka's Admin API: what rotord (or a
// test, or rotor-bench) needs to make sure its topics exist. Thread-safe
// (each call uses its own short-lived client).
#pragma once

#include <chrono>
#include <string>

#include "base/status.h"
#include "services/kafka/client_config.h"

namespace rotor::kafka {

// Creates `topic` with `partitions` partitions and `replication` replicas
// unless it exists, then waits until every partition has a leader. Errors:
// kInvalidArgument (a property, bad counts), kDeadlineExceeded (no answer
// or no leaders within `timeout`), kIoError (the broker refused, naming why).
Status EnsureTopic(const ClientSettings& client, const std::string& topic, int partitions,
                   int replication = 1,
                   std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace rotor::kafka
