// rotor-kafka-bridge: runs Rotor's Kafka bridges over an event log directory
// until SIGTERM or SIGINT:
//   - the event relay: the log -> `rotor.events` (event_relay.h);
//   - the report consumer: `rotor.agent-reports` -> IngestAgentReport ->
//     the log, malformed messages -> `rotor.agent-reports.dlq`
//     (report_consumer.h).
// rotord embeds the same classes; this process exists so that the bridges
// can run, and be tested, as a real process (docs/kafka.md).
//
// Exit codes: 0 after a signal (graceful: the consumer stops, the relay
// flushes and stores its checkpoint), 1 when a bridge fails, 2 on bad usage.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "base/allocator.h"
#include "events/rocksdb_event_log.h"
#include "services/domain/command_service.h"
#include "services/kafka/bridge_options.h"
#include "services/kafka/client_config.h"
#include "services/kafka/event_relay.h"
#include "services/kafka/report_consumer.h"
#include "services/kafka/report_ingestor.h"

namespace rotor::kafka {
namespace {

struct Flags {
  std::string config;
  std::vector<std::pair<std::string, std::string>>
      settings;                         // key, value given on the command line
  std::vector<std::string> properties;  // -X key=value
  std::string log_level = "info";
  int stats_seconds = 10;
};

void LogStats(const EventRelay* relay, const ReportConsumer* consumer) {
  if (relay != nullptr) {
    Logger().info("relay: checkpoint {} acknowledged {} produced {} lag {} deliveries {} errors {}",
                  relay->checkpoint(), relay->acknowledged(), relay->produced(), relay->lag(),
                  relay->deliveries(), relay->delivery_errors());
  }
  if (consumer != nullptr) {
    Logger().info(
        "consumer: ingested {} duplicates {} rejected {} dead-lettered {} (malformed {}) "
        "batches {} commits {} commit failures {}",
        consumer->ingested(), consumer->duplicates(), consumer->rejected(),
        consumer->dead_lettered(), consumer->malformed(), consumer->batches(), consumer->commits(),
        consumer->commit_failures());
  }
}

int Fail(const Status& s) {
  Logger().error("{}", s.ToString());
  return 1;
}

int RunBridge(const BridgeOptions& options, const Flags& flags, const sigset_t& signals) {
  auto log = rotor::RocksDbEventLog::Open(options.data_dir);
  if (!log.ok()) return Fail(log.status());
  rotor::domain::CommandService service(**log);
  ReportIngestor ingestor(service, rotor::kafka::KafkaIngestActor(options.reports_topic),
                          options.max_clock_skew);
  std::unique_ptr<EventRelay> relay;
  std::unique_ptr<ReportConsumer> consumer;
  if (options.relay) {
    auto made = EventRelay::Create(**log, options.RelayOptions());
    if (!made.ok()) return Fail(made.status());
    relay = std::move(*made);
  }
  if (options.consume) {
    auto made = ReportConsumer::Create(ingestor, options.ConsumerOptions());
    if (!made.ok()) return Fail(made.status());
    consumer = std::move(*made);
  }
  if (relay != nullptr) relay->Start();
  if (consumer != nullptr) consumer->Start();
  Logger().info("rotor-kafka-bridge running on {} (log head {})", options.data_dir, (*log)->Head());

  int code = 0;
  auto last_stats = std::chrono::steady_clock::now();
  for (;;) {
    timespec slice{0, int64_t{200} * 1000 * 1000};
    int sig = sigtimedwait(&signals, nullptr, &slice);
    if (sig > 0) {
      Logger().info("signal {}: stopping", sig);
      break;
    }
    if (relay != nullptr && !relay->running() && !relay->status().ok()) {
      code = 1;
      break;
    }
    if (consumer != nullptr && !consumer->status().ok()) {
      code = 1;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (flags.stats_seconds > 0 && now - last_stats >= std::chrono::seconds(flags.stats_seconds)) {
      LogStats(relay.get(), consumer.get());
      last_stats = now;
    }
  }
  // The consumer first, so that the relay publishes its last events.
  if (consumer != nullptr) consumer->Stop();
  if (relay != nullptr) relay->Stop();
  LogStats(relay.get(), consumer.get());
  if (relay != nullptr && !relay->status().ok()) code = 1;
  if (consumer != nullptr && !consumer->status().ok()) code = 1;
  return code;
}

int BridgeMain(int argc, char** argv) {
  TuneAllocatorForServer();
  // Signals are taken synchronously by the main thread; every thread started
  // later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  CLI::App app{
      "rotor-kafka-bridge: publishes Rotor's event log to Kafka and ingests agent "
      "reports from Kafka (docs/kafka.md)"};
  Flags flags;
  auto setting = [&](const char* flag, const char* key, const char* help) {
    app.add_option_function<std::string>(
        flag, [&flags, key](const std::string& v) { flags.settings.emplace_back(key, v); }, help);
  };
  app.add_option("--config", flags.config, "config file of 'key = value' lines (docs/kafka.md)");
  setting("--data-dir", "data.dir", "event log directory (RocksDB)");
  setting("--brokers", "brokers", "bootstrap servers, host:port[,host:port]");
  setting("--client-id", "client.id", "Kafka client.id (default rotord)");
  setting("--events-topic", "events.topic", "topic the relay publishes to (rotor.events)");
  setting("--reports-topic", "reports.topic", "topic of agent reports (rotor.agent-reports)");
  setting("--dlq-topic", "dlq.topic", "dead-letter topic (rotor.agent-reports.dlq)");
  setting("--group", "group", "consumer group of the report consumer (rotord)");
  setting("--relay-checkpoint", "relay.checkpoint",
          "relay checkpoint file (<data-dir>.relay-checkpoint)");
  setting("--batch-max", "consumer.batch.max", "reports per consumer batch (5000)");
  setting("--batch-wait-ms", "consumer.batch.wait.ms", "batch gathering time (50)");
  setting("--max-clock-skew-s", "consumer.max.clock.skew.s",
          "reject reports dated further ahead of the clock, in seconds (300)");
  app.add_flag_callback(
      "--no-relay", [&] { flags.settings.emplace_back("relay", "false"); },
      "do not run the event relay");
  app.add_flag_callback(
      "--no-consume", [&] { flags.settings.emplace_back("consume", "false"); },
      "do not run the report consumer");
  app.add_option("-X", flags.properties,
                 "librdkafka property key=value (repeatable), e.g. "
                 "-X security.protocol=SASL_SSL");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error");
  app.add_option("--stats-interval", flags.stats_seconds, "seconds between counter logs (0: off)");
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  Logger().set_level(spdlog::level::from_str(flags.log_level));
  BridgeOptions options;
  if (!flags.config.empty()) {
    Status loaded = ApplyConfigFile(flags.config, &options);
    if (!loaded.ok()) return Fail(loaded), 2;
  }
  for (const auto& [key, value] : flags.settings) {
    Status applied = ApplySetting(key, value, &options);
    if (!applied.ok()) return Fail(applied), 2;
  }
  for (const std::string& p : flags.properties) {
    auto property = ParseProperty(p);
    if (!property.ok()) return Fail(property.status()), 2;
    options.client.properties.push_back(*property);
  }
  Status valid = ValidateBridgeOptions(options);
  if (!valid.ok()) return Fail(valid), 2;
  Logger().info("allocator: {}", AllocatorName());
  return RunBridge(options, flags, signals);
}

}  // namespace
}  // namespace rotor::kafka

int main(int argc, char** argv) { return rotor::kafka::BridgeMain(argc, argv); }
