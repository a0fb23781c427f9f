// HttpServer: rotord's HTTP/1.1 transport (cpp-httplib, OpenSSL for TLS).
//
// Every request except the public routes (Api::IsPublic: GET /healthz, the
// CRL, the CA certificate, OCSP) must carry a credential: `Authorization:
// Bearer <token>`, which the TokenStore turns into the Principal, or, with a
// client CA, the client certificate alone (the person and role the tokens
// file maps it to, TokenStore::FindCertificate; else ClientCertificatePrincipal:
// an agent principal for the agent its CN names). A bearer token, when sent,
// decides. A missing or unknown credential gets 401 before the API sees the
// request, and is counted through Api::RecordDenied. With a client CA, the
// TLS handshake requires a client certificate signed by it, and every
// request that presents one Rotor revoked (Api::CheckClientCertificate) gets
// 401 naming its serial and revocation time, with or without a bearer token.
// The check runs per request rather than in the handshake: a TLS alert
// cannot say which certificate or since when (and under TLS 1.3 the client
// sees it only at its first read), and a keep-alive connection opened before
// the revocation must be refused at its next request too. A `public_only`
// server (rotord --pki-listen, plain HTTP for gateways) answers only the
// public routes and 404 for everything else. ReplaceTokens swaps the token
// store atomically (rotord does it on SIGHUP): requests already
// authenticated and open connections are not affected. The request then
// goes to Api::Handle, which owns routing and role checks; GET /v1/stream is
// answered with Server-Sent Events fed by Api::OpenFeed. Bodies over
// max_body_bytes get 400 with a JSON error, like every other refusal.
//
// Live streams hold no thread: once a stream's headers and first line are
// written, its connection leaves the request thread (DetachingServer) for one
// of two StreamWriter threads, which write every open stream's updates; so
// commands and queries keep answering however many dashboards watch. At most
// `max_streams` are open at once; one more gets 503 with a JSON error and
// Retry-After. A stream gets a keepalive comment after `stream_heartbeat` of
// quiet; a client that closes its connection frees its slot at once, and one
// that stops reading is dropped after 5 s of unsent bytes.
//
// Ownership: the server borrows `api`, which must outlive it. Thread safety:
// Create, Start and Stop are called from one thread; ReplaceTokens and
// streams() from any thread; requests are served on a pool of `threads`
// threads. Stop closes the open streams; end them first
// (Engine::BeginShutdown) for their clients to see a clean end.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "base/status.h"
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
  bool public_only = false;  // serve only Api::IsPublic routes, without credentials
  int max_streams = 2000;    // open GET /v1/stream at once; more get 503
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

  // From now on, requests are authenticated with `tokens`.
  void ReplaceTokens(TokenStore tokens);

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
