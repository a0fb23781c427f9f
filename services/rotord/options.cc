#include "services/rotord/options.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <sstream>

#include "services/ca/certificate_authority.h"

namespace rotor::rotord {

Result<Micros> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("duration '" + std::string(text) +
                                   "' must be a positive number with a unit: ms, s, m, h, d or w");
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) return bad();
  int64_t n = std::stoll(std::string(text.substr(0, digits)));
  std::string_view unit = text.substr(digits);
  int64_t micros_per = 0;
  if (unit == "ms") {
    micros_per = 1000;
  } else if (unit.empty() || unit == "s") {
    micros_per = 1000000;
  } else if (unit == "m") {
    micros_per = int64_t{60} * 1000000;
  } else if (unit == "h") {
    micros_per = int64_t{3600} * 1000000;
  } else if (unit == "d") {
    micros_per = int64_t{86400} * 1000000;
  } else if (unit == "w") {
    micros_per = int64_t{7} * 86400 * 1000000;
  } else {
    return bad();
  }
  if (n <= 0) return bad();
  return Micros(n * micros_per);
}

Status ParseListen(std::string_view text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("--listen '" + std::string(text) + "' must be HOST:PORT");
  }
  std::string_view h = text.substr(0, colon);
  std::string_view p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string_view::npos ||
      std::stoi(std::string(p)) > 65535) {
    return Status::InvalidArgument("--listen '" + std::string(text) +
                                   "': the port must be 0..65535 (0 picks a free one)");
  }
  *host = std::string(h);
  *port = std::stoi(std::string(p));
  return Status::Ok();
}

// The flags of signed checkpoints; `every` receives --checkpoint-every's text.
void AddCheckpointFlags(CLI::App& app, RotordOptions& o, std::string& every) {
  app.add_option("--checkpoint-key", o.checkpoint_key,
                 "sign checkpoints of the log's Merkle tree with this key (rotorctl keys init)");
  app.add_option("--log-origin", o.log_origin,
                 "the checkpoints' origin line, naming this deployment (default: the key's name)");
  app.add_option("--checkpoint-every-events", o.checkpoint_every_events,
                 "sign a checkpoint after this many new events")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--checkpoint-every", every,
                 "sign a checkpoint at least this often while events arrive")
      ->capture_default_str();
  app.add_option("--merkle-cache-mib", o.merkle_cache_mib,
                 "memory for the Merkle tree's tiles that proofs read (16 KiB a tile)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
}

// The flags of the deciders' state snapshots; `interval` receives the minimum interval's text.
void AddSnapshotFlags(CLI::App& app, RotordOptions& o, std::string& interval) {
  app.add_option("--state-snapshot-every-events", o.state_snapshot_every_events,
                 "snapshot the deciders' state after this many new events, so a start folds "
                 "only what follows (0: only at shutdown)")
      ->capture_default_str();
  app.add_option(
         "--state-snapshot-min-interval", interval,
         "and no more often than this (a snapshot costs about 60 ms of CPU per million agents)")
      ->capture_default_str();
  app.add_flag("--ignore-state-snapshots", o.ignore_state_snapshots,
               "fold the whole log at start instead of restoring a snapshot (snapshots are still "
               "taken)");
}

ParsedFlags ParseFlags(int argc, char** argv) {
  ParsedFlags parsed;
  RotordOptions& o = parsed.options;
  std::string stale = "14d";
  std::string sweep = "1h";
  std::string validity = "90d";
  std::string skew = "5m";
  std::string checkpoint_every = "1m";
  std::string snapshot_interval = "30s";
  CLI::App app{"rotord: Rotor's daemon (HTTP API, projections, stale sweeper, CEM issuing CA)"};
  app.set_config("--config", "", "read flags from FILE: `key = value` lines named like the flags");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.add_option("--data", o.data_dir, "data directory (event log and projections)")->required();
  app.add_option("--listen", o.listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--port-file", o.port_file, "write the URL to FILE once listening");
  app.add_option("--tls-cert", o.tls_cert, "server certificate chain (PEM); enables HTTPS");
  app.add_option("--tls-key", o.tls_key, "server private key (PEM)");
  app.add_option("--client-ca", o.client_ca, "require client certificates signed by this CA (PEM)");
  app.add_option(
      "--tokens", o.tokens,
      "bearer tokens file: `sha256:<hex> name role [agent-id]` lines (reloaded on SIGHUP)");
  app.add_option("--ca-cert", o.ca_cert,
                 "CEM issuing CA certificate (PEM): sign CSRs, serve the CRL");
  app.add_option("--ca-key", o.ca_key, "CEM issuing CA private key (PEM, unencrypted)");
  app.add_option(
      "--crl-url", o.crl_url,
      "CRL distribution point written into issued certificates (http://HOST/pki/cem.crl)");
  app.add_option("--ocsp-url", o.ocsp_url,
                 "OCSP responder URL written into issued certificates (AIA; http://HOST/ocsp)");
  app.add_option("--ca-issuers-url", o.ca_issuers_url,
                 "CA certificate URL written into issued certificates (AIA caIssuers)");
  app.add_option("--pki-listen", o.pki_listen,
                 "HOST:PORT for plain HTTP serving only the CRL, CA certificate and OCSP");
  app.add_option("--stale-threshold", stale, "flag agents silent for longer than this")
      ->capture_default_str();
  app.add_option("--sweep-interval", sweep, "how often the stale sweeper runs")
      ->capture_default_str();
  app.add_option("--issued-validity", validity, "validity of certificates signed from CSRs")
      ->capture_default_str();
  app.add_option("--max-clock-skew", skew,
                 "reject agent reports dated further ahead of the server's clock")
      ->capture_default_str();
  app.add_flag("--virtual-clock", o.virtual_clock,
               "time starts at the latest event and moves only by POST /v1/clock (simulations)");
  app.add_option("--max-body-bytes", o.max_body_bytes, "larger request bodies get 400")
      ->capture_default_str();
  app.add_option("--http-threads", o.http_threads,
                 "request threads (live streams wait on threads of their own)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--max-streams", o.max_streams,
                 "open GET /v1/stream subscribers at most (one thread each); more get 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  AddCheckpointFlags(app, o, checkpoint_every);
  AddSnapshotFlags(app, o, snapshot_interval);
  app.add_option("--history-snapshot-every-events", o.snapshot_every_events,
                 "keep a snapshot of the projections every this many events, for as-of "
                 "queries (0: none)")
      ->capture_default_str();
  app.add_option("--kafka-brokers", o.kafka_brokers,
                 "Kafka bootstrap servers: publish events, consume agent reports");
  app.add_option("--kafka-config", o.kafka_config,
                 "Kafka settings file: `key = value` lines (docs/kafka.md)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out;
    std::ostringstream err;
    // --help and --version exit 0; every other parse error is bad usage.
    parsed.exit_code = app.exit(e, out, err) == 0 ? 0 : 2;
    parsed.message = out.str() + err.str();
    return parsed;
  }
  auto fail = [&](const Status& s) {
    parsed.exit_code = 2;
    parsed.message = "rotord: " + s.message() + "\n";
    return parsed;
  };
  Result<Micros> d = ParseDuration(stale);
  if (!d.ok()) return fail(d.status().WithContext("--stale-threshold"));
  o.stale_threshold = *d;
  d = ParseDuration(sweep);
  if (!d.ok()) return fail(d.status().WithContext("--sweep-interval"));
  o.sweep_interval = *d;
  d = ParseDuration(validity);
  if (!d.ok()) return fail(d.status().WithContext("--issued-validity"));
  o.issued_validity = *d;
  d = ParseDuration(skew);
  if (!d.ok()) return fail(d.status().WithContext("--max-clock-skew"));
  o.max_clock_skew = *d;
  d = ParseDuration(checkpoint_every);
  if (!d.ok()) return fail(d.status().WithContext("--checkpoint-every"));
  o.checkpoint_every = *d;
  d = ParseDuration(snapshot_interval);
  if (!d.ok()) return fail(d.status().WithContext("--state-snapshot-min-interval"));
  o.state_snapshot_min_interval = *d;
  Status listen = ParseListen(o.listen, &o.host, &o.port);
  if (!listen.ok()) return fail(listen);
  if (!o.pki_listen.empty()) {
    Status pki = ParseListen(o.pki_listen, &o.pki_host, &o.pki_port);
    if (!pki.ok()) return fail(pki.WithContext("--pki-listen"));
  }
  for (const auto& [url, flag] :
       {std::pair{&o.crl_url, "--crl-url"}, std::pair{&o.ocsp_url, "--ocsp-url"},
        std::pair{&o.ca_issuers_url, "--ca-issuers-url"}}) {
    if (url->empty()) continue;
    Status checked = ca::CheckPublicationUrl(*url, flag);
    if (!checked.ok()) return fail(checked);
    if (o.ca_cert.empty()) {
      return fail(Status::InvalidArgument(std::string(flag) + " needs --ca-cert and --ca-key"));
    }
  }
  parsed.run = true;
  return parsed;
}

}  // namespace rotor::rotord
