// Transport: how rotorctl and rotor-sim reach a Rotor API. One client
// interface, two transports: HttpTransport talks to a running rotord over
// HTTP(S) (docs/api.md), LocalTransport opens a data directory in-process and
// calls the same app::Api the daemon serves. Both take an app::ApiRequest and
// return the app::ApiResponse the route produced, so every command works the
// same way on either.
//
// Ownership: a Transport owns its connection (or its in-process engine).
// Thread safety: implementations are thread-compatible; use one Transport per
// thread, or serialize calls.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "services/app/api.h"

namespace rotor::client {

class Transport {
 public:
  virtual ~Transport() = default;

  // Sends one request; `request.principal` is ignored over HTTP (the token
  // names the caller). Returns the route's response whatever its HTTP status
  // (4xx and 5xx included). Errors: kIoError (or kUnauthenticated for a TLS
  // verification failure) only when no response could be had at all: the
  // server cannot be reached, the connection broke, the engine failed to run.
  virtual Result<app::ApiResponse> Send(const app::ApiRequest& request) = 0;

  // Follows rollout progress (GET /v1/stream, or app::Api::Watch locally):
  // calls `on_progress` with one rollout progress JSON object per change,
  // until it returns false. Returns OK when `on_progress` stopped it.
  // Errors: a refusal of the stream itself (its HTTP error mapped to a
  // Status), kIoError when the connection broke, kCancelled when the server
  // shut the stream down.
  virtual Status Watch(
      const std::function<bool(const std::string& progress_json)>& on_progress) = 0;

  // Where requests go: "http://127.0.0.1:8080" or "data directory var/demo".
  virtual std::string Describe() const = 0;
};

// Builds and sends a request. `body` is JSON text or empty.
Result<app::ApiResponse> Call(Transport& transport, std::string method, std::string path,
                              std::string body = {}, std::map<std::string, std::string> query = {});

// True for a 2xx response.
inline bool IsSuccess(const app::ApiResponse& response) {
  return response.status >= 200 && response.status < 300;
}

// The error a non-2xx response carries: its {"error": {"code", "message"}}
// mapped back to a StatusCode (by the code's name, else by the HTTP status),
// with the server's message. OK for a 2xx response.
Status ResponseStatus(const app::ApiResponse& response);

// StatusCode for a docs/api.md error code name ("failed_precondition");
// kInternal for an unknown name.
StatusCode StatusCodeFromName(std::string_view name);

// Percent-encodes `text` for a path segment or a query value (RFC 3986
// unreserved characters pass through).
std::string UrlEncode(std::string_view text);

// "/v1/rollouts/<encoded id>/finalize": joins `prefix`, the encoded segment
// and `suffix`.
std::string PathWith(std::string_view prefix, std::string_view segment,
                     std::string_view suffix = {});

}  // namespace rotor::client
