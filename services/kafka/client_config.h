// Settings shared by every Kafka client Rotor runs (the event relay, the
// report consumer, its dead-letter producer, the admin helper), and the one
// place that turns them into a librdkafka configuration.
//
// Rotor does not interpret security settings: `properties` are passed through
// to librdkafka verbatim (security.protocol, sasl.mechanisms, sasl.username,
// sasl.password, ssl.ca.location, ssl.certificate.location, ...; see
// docs/kafka.md). Each client adds its own defaults, which the user's
// properties override, and its required settings, which nothing overrides
// (the relay's enable.idempotence=true, the consumer's enable.auto.commit=false).
//
// Also the named spdlog logger "kafka", and the bridge from librdkafka's log
// and error events to it. Value types are thread-compatible; Logger() and
// KafkaEvents are thread-safe.
#pragma once

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace rotor::kafka {

// librdkafka properties in the order they are applied.
using Properties = std::vector<std::pair<std::string, std::string>>;

struct ClientSettings {
  std::string brokers;  // bootstrap.servers, "host:port,host:port"
  std::string client_id = "rotord";
  Properties properties;  // user pass-through (-X key=value), applied over the defaults
};

// The "kafka" logger (a clone of the default logger, registered once).
spdlog::logger& Logger();

// Parses "key=value" (as given to -X). Errors: kInvalidArgument naming the
// text when there is no '=' or the key is empty.
Result<std::pair<std::string, std::string>> ParseProperty(std::string_view assignment);

// Receives librdkafka's log lines and error events on the thread that polls
// the client, logs them to Logger(), and remembers a fatal error.
class KafkaEvents : public RdKafka::EventCb {
 public:
  explicit KafkaEvents(std::string client) : client_(std::move(client)) {}
  void event_cb(RdKafka::Event& event) override;
  // True once librdkafka reported a fatal error (the client must be recreated).
  bool fatal() const { return fatal_.load(std::memory_order_acquire); }
  // Broker-level errors seen (transport, all brokers down, ...), for metrics.
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  std::string client_;
  std::atomic<bool> fatal_{false};
  std::atomic<uint64_t> errors_{0};
};

// Builds a global librdkafka configuration: bootstrap.servers and client.id
// from `settings`, then `defaults`, then `settings.properties`, then
// `required` (a user value that differs from a required one is logged and
// replaced). `events` (may be null) becomes the event callback and must
// outlive the client. Errors: kInvalidArgument naming the property librdkafka
// refused (unknown name, bad value, a feature this librdkafka lacks).
Result<std::unique_ptr<RdKafka::Conf>> BuildConf(const ClientSettings& settings,
                                                 const Properties& defaults,
                                                 const Properties& required, KafkaEvents* events);

// Sets one property on `conf`. Errors: kInvalidArgument with librdkafka's reason.
Status SetProperty(RdKafka::Conf& conf, const std::string& key, const std::string& value);

// "Local: Broker transport failure (-195)".
std::string ErrorText(RdKafka::ErrorCode code);

}  // namespace rotor::kafka
