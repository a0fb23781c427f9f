// HttpServer: rotord's HTTP/1.1 transport (cpp-httplib, OpenSSL for TLS).
//
// Every request except GET /healthz must carry `Authorization: Bearer
// <token>`; the TokenStore turns it into the Principal (a missing or unknown
// token gets 401 before the API sees the request). With a client CA, the TLS
// handshake also requires a client certificate signed by it. The request then
// goes to Api::Handle, which owns routing and role checks; GET /v1/stream is
// answered with Server-Sent Events fed by Api::WatchWithIdle. Bodies over
// max_body_bytes get 400 with a JSON error, like every other refusal.
//
// Live streams: each open stream waits on a thread of its own (ElasticPool),
// never on one of the `threads` request threads, so commands and queries keep
// answering however many dashboards watch. At most `max_streams` are open at
// once; one more gets 503 with a JSON error and Retry-After. A stream writes
// a keepalive comment after `stream_heartbeat` of quiet; a write that fails
// (the client went away) ends the stream and frees its slot.
//
// Ownership: the server borrows `api`, which must outlive it. Thread safety:
// Create, Start and Stop are called from one thread; requests are served on
// a pool of `threads` threads; streams() may be called from any thread.
// Stop waits for open streams: end them first (Engine::BeginShutdown).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "events/status.h"
#include "services/app/api.h"
#include "services/http/tokens.h"

namespace rotor::http {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;           // 0: an ephemeral port; see HttpServer::port()
  std::string tls_cert;   // PEM certificate chain; with tls_key, serve HTTPS
  std::string tls_key;    // PEM private key (unencrypted)
  std::string client_ca;  // PEM CA file: require client certificates it signed
  TokenStore tokens;
  size_t max_body_bytes = 8u << 20;
  int threads = 32;
  int keep_alive_seconds = 5;
  int max_streams = 2000;  // open GET /v1/stream at once; more get 503
  std::chrono::milliseconds stream_heartbeat{5000};
};

class HttpServer {
 public:
  // Builds the server and binds the listening socket. Errors:
  // kInvalidArgument (TLS files that do not load, only one of cert and key,
  // a client CA without TLS), kIoError (cannot bind host:port).
  static Result<std::unique_ptr<HttpServer>> Create(app::Api& api, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts accepting connections on a background thread.
  void Start();
  // Stops accepting, lets in-flight requests finish, joins the threads.
  // Idempotent.
  void Stop();

  // The bound port (the ephemeral one when options.port was 0).
  int port() const { return port_; }
  // GET /v1/stream responses open now.
  int streams() const;
  // "https://HOST:PORT" or "http://HOST:PORT".
  std::string url() const;

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread listener_;
};

}  // namespace rotor::http
