// HttpTransport: a Transport that talks to a running rotord over HTTP/1.1 or
// HTTPS (cpp-httplib), sending `Authorization: Bearer <token>` on every
// request. HTTPS verifies the server's certificate against `ca_file` (or the
// system store when none is given); a client certificate can be presented
// for rotord's mutual-TLS mode.
//
// Ownership: owns one httplib client (one keep-alive connection) for
// requests; Watch opens a second connection of its own.
// Thread safety: thread-compatible (one caller at a time).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "services/client/transport.h"

namespace httplib {
class Client;
}

namespace rotor::client {

struct HttpOptions {
  // "http://127.0.0.1:8080" or "https://rotor.example.com" (no path).
  std::string url;
  // Bearer token; empty sends no Authorization header.
  std::string token;
  // HTTPS: PEM file of the CA that signed the server's certificate.
  std::string ca_file;
  // HTTPS with client-certificate authentication: PEM certificate and key.
  std::string client_cert_file;
  std::string client_key_file;
  // Connect and per-read timeouts of ordinary requests. The stream has no
  // read timeout (rotord sends keep-alive comments).
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{300};
};

class HttpTransport final : public Transport {
 public:
  // Checks the options; does not connect. Errors: kInvalidArgument for a URL
  // that is not http(s)://host[:port], a CA or client-certificate file that
  // does not exist, https without TLS support.
  static Result<std::unique_ptr<HttpTransport>> Create(HttpOptions options);
  ~HttpTransport() override;

  Result<app::ApiResponse> Send(const app::ApiRequest& request) override;
  Status Watch(const std::function<bool(const std::string& progress_json)>& on_progress) override;
  std::string Describe() const override { return options_.url; }

 private:
  explicit HttpTransport(HttpOptions options);
  std::unique_ptr<httplib::Client> NewClient(std::chrono::seconds read_timeout) const;

  HttpOptions options_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace rotor::client
