// The API boundary shared by every transport.
//
// rotord's HTTP server turns each HTTP request into an ApiRequest (after TLS
// and bearer-token authentication have produced the Principal) and writes the
// ApiResponse back. rotorctl builds ApiRequests and sends them either over
// HTTP to a running rotord or, with --data DIR, straight to an in-process
// Engine: one client interface, two transports, one route table. The routes
// and JSON shapes are docs/api.md (and docs/openapi.yaml).
//
// Thread safety: Api::Handle is safe to call concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace rotor::app {

// kIngest: fleet-wide report ingest (the Kafka consumer, a gateway relaying
// many agents' reports); kAgent: one agent, bound to Principal::agent_id.
enum class Role { kAdmin, kOperator, kAuditor, kAgent, kIngest };

// "admin", "operator", "auditor", "agent", "ingest".
std::string_view RoleName(Role role);
// Errors: kInvalidArgument naming the text.
Result<Role> ParseRole(std::string_view text);

// Who is calling: the token's name (or the client certificate's subject) is
// the actor recorded in every event the request causes. An agent principal
// speaks only for `agent_id` (docs/api.md, "Trust model").
struct Principal {
  std::string name;
  Role role = Role::kAuditor;
  std::string agent_id;  // kAgent: the one agent it may speak for; empty otherwise
};

// The one rule of who may speak for an agent: OK unless `principal` is an
// agent principal bound to another agent (or to none). Errors:
// kPermissionDenied naming both agent ids.
Status CheckSpeaksFor(const Principal& principal, std::string_view agent_id);

// Why a request was denied, for the metrics (a fixed set, so the label's
// cardinality is bounded). The first four are 401, the others 403.
enum class Denial {
  kMissingCredential,         // no bearer token and no client certificate
  kUnknownToken,              // a bearer token not in the tokens file
  kBadClientCertificate,      // a client certificate that names no agent
  kRevokedClientCertificate,  // a client certificate Rotor revoked
  kRole,                      // the principal's role may not call the route
  kOtherAgent,                // an agent principal spoke for another agent
};
// "missing_credential", "unknown_token", "bad_client_certificate",
// "revoked_client_certificate", "role", "other_agent".
std::string_view DenialName(Denial denial);
// 401 or 403.
int DenialStatus(Denial denial);

struct ApiRequest {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string path;    // "/v1/rollouts/r1/finalize" (no query string)
  std::map<std::string, std::string> query;
  std::string body;  // JSON text; empty for GET/DELETE
  Principal principal;
  // Request headers the handlers may read (If-None-Match, ...), by lower-case
  // name; a repeated header's values are joined with ", ".
  std::map<std::string, std::string> headers;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra response headers (ETag, Cache-Control, ...).
  std::vector<std::pair<std::string, std::string>> headers;
};

// Maps a Status code to its HTTP status (docs/api.md, "Errors").
int HttpStatusFor(StatusCode code);
// {"error": {"code": "...", "message": "..."}} with the matching HTTP status.
ApiResponse ErrorResponse(const Status& status);

// A live progress feed (Api::OpenFeed). Thread-compatible: one thread at a
// time calls Poll.
class LiveFeed {
 public:
  virtual ~LiveFeed() = default;
  // Without waiting: the latest text of each rollout whose progress changed
  // since the last call (the first call: every rollout's), in rollout id
  // order; empty when nothing changed. Errors: kCancelled once the API is
  // shutting down.
  virtual Result<std::vector<std::shared_ptr<const std::string>>> Poll() = 0;
};

class Api {
 public:
  virtual ~Api() = default;
  // Handles one request, including the role check. Never throws.
  virtual ApiResponse Handle(const ApiRequest& request) = 0;
  // True when `method` `path` is a public route (no credential needed: the
  // health check, the CRL, the CA certificate, OCSP). Transports skip
  // authentication for these. The default knows only GET /healthz.
  virtual bool IsPublic(std::string_view method, std::string_view path) const {
    return method == "GET" && path == "/healthz";
  }
  // Calls `on_change` with a rollout progress JSON object whenever a
  // rollout's progress changes (and once per rollout at the start), until it
  // returns false or the API shuts down. Backs GET /v1/stream (SSE) and
  // `rotorctl status --follow` on a local data directory.
  virtual Status Watch(const Principal& principal,
                       const std::function<bool(const std::string& progress_json)>& on_change) = 0;

  // Counts a request the transport denied before Handle (a 401 for a missing
  // or unknown credential). The default counts nothing.
  virtual void RecordDenied(Denial denial) { (void)denial; }

  // Whether the client certificate with serial `serial_hex` (any case),
  // issued by `issuer` (its subject as services/pki renders it), may still
  // authenticate: OK unless Rotor's revocation events revoked it. Transports
  // call it for every request that arrives with a client certificate, so a
  // revocation holds from the moment it is appended, on open connections
  // too. The default (no CA) accepts every certificate. Errors:
  // kUnauthenticated naming the serial and the revocation time and reason;
  // log errors (kIoError, kCorruption) when the revocations cannot be read.
  virtual Status CheckClientCertificate(std::string_view issuer, std::string_view serial_hex) {
    (void)issuer;
    (void)serial_hex;
    return Status::Ok();
  }

  // Opens a live progress feed for `principal` that never blocks: the same
  // texts as Watch, for transports that serve many streams from a few
  // threads (GET /v1/stream). `wake` is called, from any thread, whenever the
  // feed's Poll may return something new and once when the API shuts down;
  // it must be cheap, must not block and must not call the API. The feed
  // must not outlive the API. Errors: kUnauthenticated (no principal),
  // kPermissionDenied (a role that may not watch), as Watch.
  virtual Result<std::unique_ptr<LiveFeed>> OpenFeed(const Principal& principal,
                                                     std::function<void()> wake) = 0;
};

}  // namespace rotor::app
