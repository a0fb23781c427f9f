// rotord: Rotor's daemon. Serves the HTTP API (docs/api.md) over TLS with
// bearer tokens, keeps the projections current, sweeps stale agents on a
// timer and, with a CEM issuing CA, signs agents' CSRs and serves the CRL.
// Configuration: docs/operations.md.
//
// Prints `listening on URL` on stdout once bound (and writes URL to
// --port-file), then `serving public PKI on URL` with --pki-listen. SIGTERM
// or SIGINT shuts down gracefully: stop accepting, finish in-flight requests,
// let the projections commit, close the log. SIGHUP reloads the --tokens file
// without dropping connections.
// With Kafka brokers configured it also runs the event relay and the
// agent-report consumer (docs/kafka.md).
// Exit codes: 0 after a signal, 1 when startup fails or a Kafka client fails
// for good, 2 on bad usage.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "base/allocator.h"
#include "services/app/engine.h"
#include "services/http/http_server.h"
#include "services/kafka/bridge_options.h"
#include "services/kafka/checkpoint_publisher.h"
#include "services/kafka/event_relay.h"
#include "services/kafka/report_consumer.h"
#include "services/kafka/report_ingestor.h"
#include "services/rotord/options.h"
#include "services/rotord/stale_sweeper.h"

namespace {

using rotor::Status;
using rotor::rotord::RotordOptions;

int Fail(const Status& s) {
  spdlog::error("{}", s.ToString());
  return 1;
}

// Writes `text` to `path` atomically (a reader never sees a partial file).
Status WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) return Status::IoError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::IoError("cannot rename " + tmp);
  return Status::Ok();
}

rotor::app::EngineOptions EngineOptionsFrom(const RotordOptions& o) {
  rotor::app::EngineOptions e;
  e.data_dir = o.data_dir;
  e.ca_cert_path = o.ca_cert;
  e.ca_key_path = o.ca_key;
  e.issued_validity = o.issued_validity;
  e.crl_url = o.crl_url;
  e.ocsp_url = o.ocsp_url;
  e.ca_issuers_url = o.ca_issuers_url;
  e.stale_threshold = o.stale_threshold;
  e.max_clock_skew = o.max_clock_skew;
  e.max_body_bytes = o.max_body_bytes;
  e.checkpoint_key_path = o.checkpoint_key;
  e.log_origin = o.log_origin;
  e.checkpoint_every_events = o.checkpoint_every_events;
  e.merkle_cache_bytes = o.merkle_cache_mib << 20;
  e.state_snapshot_every_events = o.state_snapshot_every_events;
  e.ignore_state_snapshots = o.ignore_state_snapshots;
  e.state_snapshot_min_interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(o.state_snapshot_min_interval);
  e.snapshot_every_events = o.snapshot_every_events;
  e.checkpoint_every = std::chrono::duration_cast<std::chrono::milliseconds>(o.checkpoint_every);
  if (o.virtual_clock) {
    e.virtual_clock = std::make_shared<rotor::app::VirtualClock>(
        rotor::TimeFromMicros(0));  // Engine::Open moves it to the latest event
  }
  return e;
}

// The Kafka relay and report consumer, when configured (docs/kafka.md).
struct KafkaClients {
  std::unique_ptr<rotor::kafka::ReportIngestor> ingestor;
  std::unique_ptr<rotor::kafka::EventRelay> relay;
  std::unique_ptr<rotor::kafka::ReportConsumer> consumer;
  std::string summary;  // what the clients do, for the log

  // Why a client stopped for good (a fatal Kafka error), or OK.
  Status Failure() const {
    if (relay != nullptr && !relay->running() && !relay->status().ok()) return relay->status();
    if (consumer != nullptr && !consumer->status().ok()) return consumer->status();
    return Status::Ok();
  }

  void Start() {
    if (relay != nullptr) relay->Start();
    if (consumer != nullptr) consumer->Start();
    if (relay != nullptr || consumer != nullptr) spdlog::info("kafka: {}", summary);
  }

  // The consumer first, so that the relay publishes the last reports' events.
  void Stop() {
    if (consumer != nullptr) consumer->Stop();
    if (relay != nullptr) relay->Stop();
  }
};

// Reads the Kafka settings: the config file, then --kafka-brokers. The
// relay's checkpoint defaults to DATA/kafka-relay.checkpoint. Errors:
// kInvalidArgument or kIoError naming the setting or the file.
rotor::Result<rotor::kafka::BridgeOptions> KafkaOptionsFrom(const RotordOptions& o) {
  rotor::kafka::BridgeOptions k;
  k.data_dir = o.data_dir;
  k.checkpoint_path = o.data_dir + "/kafka-relay.checkpoint";
  if (!o.kafka_config.empty()) {
    ROTOR_RETURN_IF_ERROR(rotor::kafka::ApplyConfigFile(o.kafka_config, &k));
  }
  if (!o.kafka_brokers.empty()) {
    ROTOR_RETURN_IF_ERROR(rotor::kafka::ApplySetting("brokers", o.kafka_brokers, &k));
  }
  ROTOR_RETURN_IF_ERROR(rotor::kafka::ValidateBridgeOptions(k));
  return k;
}

// With Kafka and a checkpoint key: the producer of signed checkpoints
// (BridgeOptions::checkpoints_topic); otherwise null.
rotor::Result<std::unique_ptr<rotor::kafka::CheckpointPublisher>> MakeCheckpointPublisher(
    const RotordOptions& o) {
  if ((o.kafka_brokers.empty() && o.kafka_config.empty()) || o.checkpoint_key.empty()) {
    return std::unique_ptr<rotor::kafka::CheckpointPublisher>();
  }
  rotor::Result<rotor::kafka::BridgeOptions> k = KafkaOptionsFrom(o);
  if (!k.ok()) return k.status().WithContext("kafka");
  return rotor::kafka::CheckpointPublisher::Create(k->client, k->checkpoints_topic,
                                                   o.data_dir + "/kafka-checkpoints.published");
}

// Checks the Kafka settings and creates the clients, so that bad settings
// stop rotord before it listens. The clients are not started: no event is
// published and no report consumed yet (librdkafka may already connect, to
// get the producer id and find the group coordinator).
rotor::Result<KafkaClients> MakeKafka(const RotordOptions& o, rotor::app::Engine& engine) {
  KafkaClients clients;
  if (o.kafka_brokers.empty() && o.kafka_config.empty()) return clients;
  rotor::Result<rotor::kafka::BridgeOptions> k = KafkaOptionsFrom(o);
  if (!k.ok()) return k.status().WithContext("kafka");
  if (k->relay) {
    auto relay = rotor::kafka::EventRelay::Create(engine.log(), k->RelayOptions());
    if (!relay.ok()) return relay.status();
    clients.relay = std::move(*relay);
    clients.summary = "publishing events to " + k->events_topic;
  }
  if (k->consume) {
    clients.ingestor = std::make_unique<rotor::kafka::ReportIngestor>(
        engine.commands(), rotor::kafka::KafkaIngestActor(k->reports_topic), o.max_clock_skew);
    auto consumer = rotor::kafka::ReportConsumer::Create(*clients.ingestor, k->ConsumerOptions());
    if (!consumer.ok()) return consumer.status();
    clients.consumer = std::move(*consumer);
    clients.summary += (k->relay ? ", " : "") + std::string("consuming ") + k->reports_topic;
  }
  return clients;
}

// SIGHUP: reads the tokens file again and swaps it in whole; a file that does
// not load leaves the tokens in use and logs why (naming the line).
void ReloadTokens(const std::string& path, rotor::http::HttpServer& server) {
  if (path.empty()) {
    spdlog::warn("SIGHUP: no --tokens file to reload");
    return;
  }
  auto tokens = rotor::http::TokenStore::Load(path);
  if (!tokens.ok()) {
    spdlog::error("SIGHUP: keeping the tokens loaded before: {}", tokens.status().ToString());
    return;
  }
  size_t count = tokens->size();
  server.ReplaceTokens(std::move(*tokens));
  spdlog::info("SIGHUP: reloaded {} tokens from {}", count, path);
}

// With --pki-listen: a plain-HTTP server for the public PKI routes only (the
// CRL, the CA certificate, OCSP), started; otherwise null.
rotor::Result<std::unique_ptr<rotor::http::HttpServer>> StartPkiServer(const RotordOptions& o,
                                                                       rotor::app::Engine& engine) {
  if (o.pki_listen.empty()) return std::unique_ptr<rotor::http::HttpServer>();
  rotor::http::HttpServerOptions p;
  p.host = o.pki_host;
  p.port = o.pki_port;
  p.public_only = true;
  p.max_body_bytes = size_t{64} * 1024;
  p.threads = 8;
  auto created = rotor::http::HttpServer::Create(engine, std::move(p));
  if (!created.ok()) return created.status().WithContext("--pki-listen");
  (*created)->Start();
  return std::move(*created);
}

int Run(const RotordOptions& o, const sigset_t& signals) {
  rotor::app::EngineOptions engine_options = EngineOptionsFrom(o);
  if (!o.ca_cert.empty() && o.crl_url.empty() && o.ocsp_url.empty()) {
    spdlog::warn(
        "no --crl-url or --ocsp-url: issued certificates carry no revocation pointer, so "
        "gateways must be given the CRL or OCSP URL by hand (docs/operations.md)");
  }
  auto checkpoints = MakeCheckpointPublisher(o);  // outlives the engine that calls it
  if (!checkpoints.ok()) return Fail(checkpoints.status());
  if (*checkpoints != nullptr) {
    engine_options.checkpoint_published_size = (*checkpoints)->published_size();
    engine_options.on_checkpoint = [p = checkpoints->get()](uint64_t size,
                                                            const std::string& note) {
      Status published = p->Publish(size, note);
      if (!published.ok()) spdlog::error("kafka: {}", published.ToString());
    };
  }
  auto engine = rotor::app::Engine::Open(engine_options);
  if (!engine.ok()) return Fail(engine.status());
  if (engine_options.virtual_clock && (*engine)->Head() == 0) {
    // An empty log: the virtual clock starts at the system time.
    engine_options.virtual_clock->Set(
        std::chrono::time_point_cast<rotor::Micros>(std::chrono::system_clock::now()));
  }
  rotor::Result<KafkaClients> kafka = MakeKafka(o, **engine);
  if (!kafka.ok()) return Fail(kafka.status());
  rotor::http::HttpServerOptions h;
  h.host = o.host;
  h.port = o.port;
  h.tls_cert = o.tls_cert;
  h.tls_key = o.tls_key;
  h.client_ca = o.client_ca;
  h.max_body_bytes = o.max_body_bytes;
  h.threads = o.http_threads;
  h.max_streams = o.max_streams;
  if (!o.tokens.empty()) {
    auto tokens = rotor::http::TokenStore::Load(o.tokens);
    if (!tokens.ok()) return Fail(tokens.status());
    h.tokens = std::move(*tokens);
  } else {
    spdlog::warn("no --tokens file: every request except GET /healthz will get 401");
  }
  if (o.tls_cert.empty()) spdlog::warn("no --tls-cert: serving plain HTTP");
  auto server = rotor::http::HttpServer::Create(**engine, std::move(h));
  if (!server.ok()) return Fail(server.status());
  (*server)->Start();
  rotor::Result<std::unique_ptr<rotor::http::HttpServer>> pki_server = StartPkiServer(o, **engine);
  if (!pki_server.ok()) return Fail(pki_server.status());
  std::string url = (*server)->url();
  if (!o.port_file.empty()) {
    Status written = WriteFileAtomically(o.port_file, url + "\n");
    if (!written.ok()) return Fail(written);
  }
  std::cout << "listening on " << url << std::endl;
  if (*pki_server != nullptr) {
    std::cout << "serving public PKI on " << (*pki_server)->url() << std::endl;
  }
  spdlog::info("rotord serving {} on {} (log head {}{}; {})", o.data_dir, url, (*engine)->Head(),
               o.virtual_clock ? ", virtual clock" : "", rotor::AllocatorName());
  rotor::rotord::StaleSweeper sweeper(**engine, o.sweep_interval);
  sweeper.Start();
  kafka->Start();

  // A Kafka client that fails for good stops rotord with exit code 1, so that
  // its supervisor restarts it (the relay resumes from its checkpoint, the
  // consumer from the committed offsets).
  std::atomic<bool> stopping{false};
  std::atomic<bool> kafka_failed{false};
  std::thread watcher([&] {
    while (!stopping.load()) {
      Status failure = kafka->Failure();
      if (!failure.ok()) {
        spdlog::error("kafka: {}; shutting down", failure.ToString());
        kafka_failed = true;
        kill(getpid(), SIGTERM);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    ReloadTokens(o.tokens, **server);
  }
  stopping = true;
  watcher.join();
  spdlog::info("signal {}: shutting down", signal_number);
  sweeper.Stop();
  (*engine)->BeginShutdown();  // ends SSE streams
  (*server)->Stop();           // stops accepting; in-flight requests finish
  if (*pki_server != nullptr) (*pki_server)->Stop();
  kafka->Stop();       // commits what was ingested, publishes what was appended
  (*engine)->Close();  // projections commit, the log closes
  spdlog::info("rotord stopped");
  return kafka_failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  rotor::TuneAllocatorForServer();  // resident memory (docs/operations.md)
  // Signals are taken by sigwait in Run; every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto logger = spdlog::stderr_color_mt("rotord");
  spdlog::set_default_logger(logger);
  rotor::rotord::ParsedFlags parsed = rotor::rotord::ParseFlags(argc, argv);
  if (!parsed.run) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message;
    return parsed.exit_code;
  }
  spdlog::set_level(spdlog::level::from_str(parsed.options.log_level));
  return Run(parsed.options, signals);
}
