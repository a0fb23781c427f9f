// rotord: Rotor's daemon. Serves the HTTP API (docs/api.md) over TLS with
// bearer tokens, keeps the projections current, sweeps stale agents on a
// timer and, with a CEM issuing CA, signs agents' CSRs and serves the CRL.
// Configuration: docs/operations.md.
//
// Prints `listening on URL` on stdout once bound (and writes URL to
// --port-file). SIGTERM or SIGINT shuts down gracefully: stop accepting,
// finish in-flight requests, let the projections commit, close the log.
// Exit codes: 0 after a signal, 1 when startup fails, 2 on bad usage.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "services/app/engine.h"
#include "services/http/http_server.h"
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
  e.stale_threshold = o.stale_threshold;
  e.max_body_bytes = o.max_body_bytes;
  if (o.virtual_clock) {
    e.virtual_clock = std::make_shared<rotor::app::VirtualClock>(
        rotor::TimeFromMicros(0));  // Engine::Open moves it to the latest event
  }
  return e;
}

int Run(const RotordOptions& o, const sigset_t& signals) {
  rotor::app::EngineOptions engine_options = EngineOptionsFrom(o);
  auto engine = rotor::app::Engine::Open(engine_options);
  if (!engine.ok()) return Fail(engine.status());
  if (engine_options.virtual_clock && (*engine)->Head() == 0) {
    // An empty log: the virtual clock starts at the system time.
    engine_options.virtual_clock->Set(
        std::chrono::time_point_cast<rotor::Micros>(std::chrono::system_clock::now()));
  }
  rotor::http::HttpServerOptions h;
  h.host = o.host;
  h.port = o.port;
  h.tls_cert = o.tls_cert;
  h.tls_key = o.tls_key;
  h.client_ca = o.client_ca;
  h.max_body_bytes = o.max_body_bytes;
  h.threads = o.http_threads;
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
  std::string url = (*server)->url();
  if (!o.port_file.empty()) {
    Status written = WriteFileAtomically(o.port_file, url + "\n");
    if (!written.ok()) return Fail(written);
  }
  std::cout << "listening on " << url << std::endl;
  spdlog::info("rotord serving {} on {} (log head {}{})", o.data_dir, url, (*engine)->Head(),
               o.virtual_clock ? ", virtual clock" : "");
  rotor::rotord::StaleSweeper sweeper(**engine, o.sweep_interval);
  sweeper.Start();

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("signal {}: shutting down", signal_number);
  sweeper.Stop();
  (*engine)->BeginShutdown();  // ends SSE streams
  (*server)->Stop();           // stops accepting; in-flight requests finish
  (*engine)->Close();          // projections commit, the log closes
  spdlog::info("rotord stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by sigwait in Run; every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
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
