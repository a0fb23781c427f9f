// rotord's configuration: command-line flags and the config file
// (`--config FILE`, `key = value` lines with the flags' names), parsed with
// CLI11 into RotordOptions, plus the small parsers they need. The flags are
// documented in docs/operations.md. Thread-compatible.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace rotor::rotord {

struct RotordOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:8443";
  std::string port_file;
  std::string tls_cert;
  std::string tls_key;
  std::string client_ca;
  std::string tokens;
  std::string ca_cert;
  std::string ca_key;
  // Revocation publication (docs/operations.md, "Revocation"): URLs written
  // into issued certificates, and an optional plain-HTTP listener that serves
  // only the public PKI routes.
  std::string crl_url;
  std::string ocsp_url;
  std::string ca_issuers_url;
  std::string pki_listen;
  std::string pki_host;  // parsed from pki_listen
  int pki_port = 0;
  Micros stale_threshold = std::chrono::days(14);
  // Agent reports (HTTP and Kafka) dated further ahead of the clock are rejected.
  Micros max_clock_skew = std::chrono::minutes(5);
  Micros sweep_interval = std::chrono::hours(1);
  Micros issued_validity = std::chrono::days(90);
  bool virtual_clock = false;
  size_t max_body_bytes = 8u << 20;
  int http_threads = 32;
  int max_streams = 2000;
  std::string log_level = "info";
  // Kafka (docs/kafka.md): with brokers (flag or config file) rotord runs the
  // event relay and the agent-report consumer in process.
  // Signed checkpoints of the log's Merkle tree (docs/audit.md).
  std::string checkpoint_key;
  std::string log_origin;
  uint64_t checkpoint_every_events = 10000;
  size_t merkle_cache_mib = 64;
  Micros checkpoint_every = std::chrono::minutes(1);
  uint64_t state_snapshot_every_events = 100000;  // 0: only at shutdown
  bool ignore_state_snapshots = false;
  Micros state_snapshot_min_interval = std::chrono::seconds(30);
  // Projection snapshots for as-of queries (docs/storage.md); 0: none.
  uint64_t snapshot_every_events = 1000000;
  std::string kafka_brokers;
  std::string kafka_config;

  // Parsed from `listen`.
  std::string host;
  int port = 0;
};

// Outcome of parsing the command line: run, or exit with `exit_code` (0 after
// --help, 2 on bad usage) having printed `message`.
struct ParsedFlags {
  bool run = false;
  int exit_code = 0;
  std::string message;
  RotordOptions options;
};

ParsedFlags ParseFlags(int argc, char** argv);

// "90s", "30m", "1h", "14d", "2w", "500ms", or a bare number of seconds.
// Errors: kInvalidArgument naming the text; zero and negative durations are refused.
Result<Micros> ParseDuration(std::string_view text);

// "HOST:PORT" or "[IPv6]:PORT"; port 0..65535. Errors: kInvalidArgument.
Status ParseListen(std::string_view text, std::string* host, int* port);

}  // namespace rotor::rotord
