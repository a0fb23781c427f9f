#include "services/http/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>

#include "base/mutex.h"
#include "services/console/assets.h"
#include "services/http/client_certificate.h"
#include "services/http/detaching_server.h"
#include "services/http/stream_writer.h"

namespace rotor::http {
namespace {

// Threads that write the open streams (StreamWriter); a stream whose bytes
// wait this long to be sent is dropped.
constexpr int kStreamWriters = 2;
constexpr std::chrono::milliseconds kStreamWriteTimeout{5000};

spdlog::logger& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = spdlog::default_logger()->clone("http");
  return *logger;
}

void WriteApiResponse(const app::ApiResponse& r, httplib::Response& res) {
  res.status = r.status;
  for (const auto& [name, value] : r.headers) res.set_header(name, value);
  res.set_content(r.body, r.content_type.c_str());
}

// The request's headers by lower-case name; repeated ones joined with ", ".
std::map<std::string, std::string> LowerCaseHeaders(const httplib::Request& req) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : req.headers) {
    std::string key = name;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, added] = out.emplace(key, value);
    if (!added) it->second += ", " + value;
  }
  return out;
}

void WriteError(const Status& status, httplib::Response& res) {
  WriteApiResponse(app::ErrorResponse(status), res);
  if (status.code() == StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"rotor\"");
  }
}

// Headers on every response: the console's Content-Security-Policy allows
// only its own files (no inline script or style, no framing, nothing from
// another origin), and no response is sniffed, framed or leaks a referrer.
void SetSecurityHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
                 "frame-ancestors 'none'");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
}

// Serves the console's embedded file at req.path, when there is one: 304
// when the client's If-None-Match holds its ETag. The files hold no data and
// need no credential; every number the console shows comes from /v1/.
bool ServeConsoleAsset(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  const console::Asset* asset = console::FindAsset(req.path);
  if (asset == nullptr) return false;
  res.set_header("ETag", std::string(asset->etag));
  res.set_header("Cache-Control", "no-cache");
  if (req.get_header_value("If-None-Match") == asset->etag) {
    res.status = 304;
    return true;
  }
  res.status = 200;
  res.set_content(asset->body.data(), asset->body.size(), std::string(asset->content_type));
  return true;
}

// The bearer token of `req`; empty when there is none.
std::string BearerToken(const httplib::Request& req) {
  std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size() || header.compare(0, kPrefix.size(), kPrefix) != 0) return "";
  return header.substr(kPrefix.size());
}

}  // namespace

struct HttpServer::Impl {
  app::Api& api;
  HttpServerOptions options;
  std::unique_ptr<httplib::Server> server;
  bool tls = false;
  Mutex tokens_mu;
  std::shared_ptr<const TokenStore> tokens GUARDED_BY(tokens_mu);  // replaced whole
  std::vector<std::unique_ptr<StreamWriter>> writers;              // serve the open streams
  std::atomic<size_t> next_writer{0};                              // round robin over writers
  std::atomic<int> streams{0};                                     // open GET /v1/stream responses
  int listen_socket = -1;                                          // the listener, once created

  Impl(app::Api& a, HttpServerOptions o)
      : api(a),
        options(std::move(o)),
        tokens(std::make_shared<TokenStore>(std::move(options.tokens))) {}

  std::shared_ptr<const TokenStore> Tokens() {
    MutexLock lock(&tokens_mu);
    return tokens;
  }
  // The request's principal, or the 401 to answer (counted as a denial).
  Result<app::Principal> Authenticate(const httplib::Request& req);
  void Serve(const httplib::Request& req, httplib::Response& res);
  void Stream(const app::ApiRequest& request, httplib::Response& res);
  // A slot for one more stream (released when the pointer is dropped), or
  // null when max_streams are open.
  std::shared_ptr<void> TakeStreamSlot();
  // Writes the stream's first line on `sink`, then hands the connection to
  // `writer` with `feed` and `slot` (ends the response early: returns false).
  static bool HandOver(httplib::DataSink& sink, StreamWriter& writer,
                       std::shared_ptr<app::LiveFeed> feed, std::shared_ptr<void> slot);
  void Install();
};

Result<app::Principal> HttpServer::Impl::Authenticate(const httplib::Request& req) {
  bool mtls = tls && !options.client_ca.empty();
  Result<ClientCertificate> cert = Status::Unauthenticated("no TLS client certificate");
  if (mtls) {
    // A certificate Rotor revoked is refused whatever else the request
    // carries, on connections opened before the revocation too.
    cert = VerifiedClientCertificate(req.ssl);
    if (cert.ok()) {
      Status allowed = api.CheckClientCertificate(cert->issuer, cert->serial_hex);
      if (!allowed.ok()) {
        if (allowed.code() == StatusCode::kUnauthenticated) {
          api.RecordDenied(app::Denial::kRevokedClientCertificate);
        }
        Logger().warn("refused client certificate {}: {}", cert->subject, allowed.message());
        return allowed;
      }
    }
  }
  std::string token = BearerToken(req);
  if (!token.empty()) {
    std::optional<app::Principal> principal = Tokens()->Find(token);
    if (principal.has_value()) return std::move(*principal);
    api.RecordDenied(app::Denial::kUnknownToken);
    return Status::Unauthenticated("unknown bearer token");
  }
  if (mtls) {
    if (cert.ok()) {  // a person's certificate, mapped in the tokens file
      std::optional<app::Principal> person = Tokens()->FindCertificate(cert->fingerprint);
      if (person.has_value()) return std::move(*person);
    }
    Result<app::Principal> principal =
        cert.ok() ? ClientCertificatePrincipal(*cert) : Result<app::Principal>(cert.status());
    if (!principal.ok()) api.RecordDenied(app::Denial::kBadClientCertificate);
    return principal;
  }
  api.RecordDenied(app::Denial::kMissingCredential);
  return Status::Unauthenticated("missing credential: send Authorization: Bearer <token>");
}

void HttpServer::Impl::Serve(const httplib::Request& req, httplib::Response& res) {
  auto start = std::chrono::steady_clock::now();
  SetSecurityHeaders(res);
  if (!options.public_only && ServeConsoleAsset(req, res)) return;
  app::ApiRequest request;
  request.method = req.method;
  request.path = req.path;
  for (const auto& [key, value] : req.params) request.query.emplace(key, value);
  request.body = req.body;
  request.headers = LowerCaseHeaders(req);
  bool is_public = api.IsPublic(request.method, request.path);
  if (options.public_only && !is_public) {
    WriteError(Status::NotFound("no public route " + request.method + " " + request.path +
                                ": this listener serves only the CRL, the CA certificate and "
                                "OCSP (docs/api.md)"),
               res);
    return;
  }
  if (!is_public) {
    Result<app::Principal> principal = Authenticate(req);
    if (!principal.ok()) {
      WriteError(principal.status(), res);
      return;
    }
    request.principal = std::move(*principal);
  }
  if (request.method == "GET" && request.path == "/v1/stream") {
    Stream(request, res);
    return;
  }
  WriteApiResponse(api.Handle(request), res);
  Logger().debug(
      "{} {} -> {} ({}, {:.1f} ms)", request.method, request.path, res.status,
      request.principal.name,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
}

void HttpServer::Impl::Stream(const app::ApiRequest& request, httplib::Response& res) {
  // The route's role check (and nothing else) decides whether to stream.
  app::ApiResponse probe = api.Handle(request);
  if (probe.status != 200) {
    WriteApiResponse(probe, res);
    return;
  }
  std::shared_ptr<void> slot = TakeStreamSlot();
  if (slot == nullptr) {
    WriteError(Status::ResourceExhausted("rotord has " + std::to_string(options.max_streams) +
                                         " live streams open, its maximum (--max-streams); "
                                         "retry later"),
               res);
    res.status = 503;
    res.set_header("Retry-After", "5");
    return;
  }
  StreamWriter& writer = *writers[next_writer.fetch_add(1) % writers.size()];
  Result<std::unique_ptr<app::LiveFeed>> opened =
      api.OpenFeed(request.principal, [&writer] { writer.Wake(); });
  if (!opened.ok()) {
    WriteError(opened.status(), res);
    return;
  }
  std::shared_ptr<app::LiveFeed> feed = std::move(*opened);
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider("text/event-stream",
                                   [&writer, feed, slot](size_t, httplib::DataSink& sink) {
                                     return HandOver(sink, writer, feed, slot);
                                   });
}

std::shared_ptr<void> HttpServer::Impl::TakeStreamSlot() {
  if (streams.fetch_add(1) >= options.max_streams) {
    streams.fetch_sub(1);
    return nullptr;
  }
  return {this, [](void* impl) { static_cast<Impl*>(impl)->streams.fetch_sub(1); }};
}

bool HttpServer::Impl::HandOver(httplib::DataSink& sink, StreamWriter& writer,
                                std::shared_ptr<app::LiveFeed> feed, std::shared_ptr<void> slot) {
  static constexpr std::string_view kFirst = "retry: 3000\n\n";
  if (!sink.write(kFirst.data(), kFirst.size())) return false;  // the client went away
  bool detached = DetachConnection(
      [&writer, feed = std::move(feed), slot = std::move(slot)](DetachedConnection c) mutable {
        writer.Add(c, std::move(feed), std::move(slot));
      });
  if (!detached) Logger().error("GET /v1/stream on a connection that cannot be handed over");
  return false;  // ends the response here; the writer continues it
}

void HttpServer::Impl::Install() {
  httplib::Server& s = *server;
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
  s.Get(".*", handler);
  s.Post(".*", handler);
  s.Put(".*", handler);
  s.Delete(".*", handler);
  s.Patch(".*", handler);
  s.set_payload_max_length(options.max_body_bytes);
  s.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket = sock;  // called for the listening socket only
  });
  s.set_keep_alive_timeout(options.keep_alive_seconds);
  // A response is written in several pieces (headers, then the body); with
  // Nagle's algorithm the body waits for the client's delayed ACK of the
  // headers, about 40 ms on Linux, on every request of a keep-alive connection.
  s.set_tcp_nodelay(true);
  size_t limit = options.max_body_bytes;
  auto too_large = [limit](httplib::Response& res) {
    WriteError(Status::InvalidArgument("request body is over the limit of " +
                                       std::to_string(limit) + " bytes"),
               res);
  };
  // httplib's own refusals become JSON errors: 413 for a body over the limit
  // (httplib reads and discards it, so the client gets the answer) turns
  // into 400 as docs/api.md says; 400 for a bad request line.
  s.set_error_handler(httplib::Server::HandlerWithResponse([too_large](const httplib::Request&,
                                                                       httplib::Response& res) {
    if (!res.has_header("X-Frame-Options")) SetSecurityHeaders(res);
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 413) {
      too_large(res);
    } else {
      WriteError(
          Status::InvalidArgument("bad HTTP request (status " + std::to_string(res.status) + ")"),
          res);
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Logger().error("{} {}: {}", req.method, req.path, what);
        WriteError(Status::Internal("unexpected error: " + what), res);
      });
  int threads = options.threads > 0 ? options.threads : 8;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(app::Api& api, HttpServerOptions options) {
  auto impl = std::make_unique<Impl>(api, std::move(options));
  const HttpServerOptions& o = impl->options;
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Status::InvalidArgument(
        "TLS needs both a certificate (--tls-cert) and a key (--tls-key)");
  }
  if (!o.client_ca.empty() && o.tls_cert.empty()) {
    return Status::InvalidArgument("client-certificate authentication (--client-ca) needs TLS");
  }
  impl->tls = !o.tls_cert.empty();
  impl->server = MakeDetachingServer(o.tls_cert, o.tls_key, o.client_ca);
  if (!impl->server->is_valid()) {
    return Status::InvalidArgument("cannot load TLS certificate " + o.tls_cert + ", key " +
                                   o.tls_key +
                                   (o.client_ca.empty() ? "" : " or client CA " + o.client_ca));
  }
  for (int i = 0; i < kStreamWriters; ++i) {
    Result<std::unique_ptr<StreamWriter>> writer =
        StreamWriter::Start({o.stream_heartbeat, kStreamWriteTimeout});
    if (!writer.ok()) return writer.status();
    impl->writers.push_back(std::move(*writer));
  }
  impl->Install();
  int port = 0;
  if (o.port == 0) {
    port = impl->server->bind_to_any_port(o.host);
  } else {
    port = impl->server->bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (port <= 0) {
    return Status::IoError("cannot listen on " + o.host + ":" + std::to_string(o.port));
  }
  // cpp-httplib listens with a backlog of 5; a thousand dashboards that
  // reconnect at once would see dropped SYNs and seconds of backoff.
  if (impl->listen_socket >= 0) (void)::listen(impl->listen_socket, SOMAXCONN);
  auto server = std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
  server->port_ = port;
  return server;
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

void HttpServer::ReplaceTokens(TokenStore tokens) {
  auto replacement = std::make_shared<const TokenStore>(std::move(tokens));
  MutexLock lock(&impl_->tokens_mu);
  impl_->tokens = std::move(replacement);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  listener_ = std::thread([this] {
    if (!impl_->server->listen_after_bind()) Logger().error("the listener stopped with an error");
  });
}

void HttpServer::Stop() {
  if (impl_->server) impl_->server->stop();
  if (listener_.joinable()) listener_.join();
  for (const std::unique_ptr<StreamWriter>& writer : impl_->writers) writer->Stop();
}

int HttpServer::streams() const { return impl_->streams.load(); }

std::string HttpServer::url() const {
  const std::string& host = impl_->options.host;
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(impl_->tls ? "https" : "http") + "://" + shown + ":" + std::to_string(port_);
}

}  // namespace rotor::http
