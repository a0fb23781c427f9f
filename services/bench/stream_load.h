// The loopback load behind `rotor-bench stream`: rotord's real HTTP server
// and Engine in this process (127.0.0.1, an ephemeral port, a scratch data
// directory, fsync on as in production), a timed keep-alive API client, and
// a set of SSE subscribers whose progress updates are matched with ingested
// report batches to measure update lag.
//
// Ownership: each class owns what it starts (threads, sockets, the server).
// Thread safety: LoopbackRotord and ApiClient are thread-compatible; Watchers
// runs its own polling thread and its public members are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "services/app/engine.h"
#include "services/client/sse_subscribers.h"
#include "services/http/http_server.h"

namespace httplib {
class Client;
}  // namespace httplib

namespace rotor::bench {

inline constexpr char kOperatorToken[] = "bench-operator";
inline constexpr char kIngestToken[] = "bench-ingest";
inline constexpr char kAuditorToken[] = "bench-auditor";
inline constexpr char kBenchRollout[] = "bench-rollout";

using SteadyTime = std::chrono::steady_clock::time_point;

// The text of a tokens file (SHA-256 digests, docs/operations.md) for the
// bench's tokens: kOperatorToken (role operator), kIngestToken (ingest) and
// kAuditorToken (auditor). Errors: as http::TokenStore::MakeLine.
Result<std::string> BenchTokensFile();

// One agent report in protobuf's JSON mapping, reported at `reported_at`
// (default: a minute before the first call). An agent's report is recorded
// only when it is newer than the agent's latest.
std::string ReportJson(const std::string& report_id, const std::string& agent_id,
                       const std::vector<std::string>& fingerprints, bool cloud_enabled = false,
                       std::optional<Time> reported_at = std::nullopt);

class LoopbackRotord {
 public:
  // Opens an Engine on `data_dir` and serves it on 127.0.0.1:0 with the
  // bench's tokens and room for `max_streams` streams. Errors: as
  // Engine::Open and HttpServer::Create.
  static Result<std::unique_ptr<LoopbackRotord>> Start(const std::string& data_dir,
                                                       int max_streams);
  // Ends the streams, stops the server, closes the engine.
  ~LoopbackRotord();

  int port() const { return server_->port(); }
  // The engine behind the server (to watch its projections); owned here.
  const app::Engine& engine() const { return *engine_; }
  int streams() const { return server_->streams(); }

 private:
  LoopbackRotord() = default;
  std::unique_ptr<app::Engine> engine_;
  std::unique_ptr<http::HttpServer> server_;
};

class ApiClient {
 public:
  explicit ApiClient(int port);
  ~ApiClient();
  // Sends one request; returns its latency in milliseconds and the reply in
  // `*reply` when given. Errors: kIoError (no answer), kInternal (a status
  // other than `expected`, with the body).
  Result<double> Call(const std::string& method, const std::string& path, const std::string& token,
                      const std::string& body = {}, std::string* reply = nullptr,
                      int expected = 200);

 private:
  std::unique_ptr<httplib::Client> client_;
};

// Registers two server-web certificates valid around now. Returns their
// {old, new} fingerprints. Errors: the first failing call's.
Result<std::pair<std::string, std::string>> RegisterCertificatePair(ApiClient& api);

// Agents "fleet-0" to "fleet-<fleet - 1>" each report `fingerprint` once,
// in batches of 1,000 (POST /v1/reports:batch, kIngestToken). Round 0 is
// dated as ReportJson's default; a later `round` has report ids of its own
// and is dated now, so that every report is recorded. Errors: the first
// failing call's.
Status ReportFleet(ApiClient& api, uint64_t fleet, const std::string& fingerprint,
                   bool cloud_enabled, uint64_t round = 0);

// Registers two server certificates, has `fleet` agents report the old one
// and initiates kBenchRollout. Returns {old, new} fingerprints. Errors: the
// first failing call's.
Result<std::pair<std::string, std::string>> SetUpFleet(ApiClient& api, uint64_t fleet);

class Watchers {
 public:
  // Opens `count` subscribers and starts polling them. Errors: as
  // SseSubscribers::Open.
  static Result<std::unique_ptr<Watchers>> Open(int port, size_t count);
  ~Watchers();

  // Waits until every subscriber had its first progress event, up to
  // `timeout`. Returns how many had.
  size_t WaitConnected(std::chrono::milliseconds timeout);
  // A batch whose reports take the rollout's received count to `received`,
  // sent at `sent`. Call in the order of `received`.
  void AddBatch(int64_t received, SteadyTime sent);
  // Waits until every subscriber saw every batch, up to `timeout`; then
  // counts what was not seen as seen now. Returns the lag samples (ms), one
  // per subscriber and batch, and in `*unseen` how many were not seen.
  std::vector<double> Drain(std::chrono::milliseconds timeout, uint64_t* unseen);
  // Progress events received so far, by all subscribers.
  uint64_t events() const { return events_.load(); }
  // CPU time the polling thread (the subscribers' client side, which shares
  // this process and its cores with rotord) has used so far, in ms.
  double client_cpu_ms() const;

 private:
  struct Batch {
    int64_t received;
    SteadyTime sent;
  };
  Watchers() = default;
  void OnEvent(size_t i, const std::string& event, const std::string& data);
  // The rollout's received count in `data` (a cache: subscribers share texts).
  int64_t Received(const std::string& data);
  bool AllSeen() const;

  std::unique_ptr<client::SseSubscribers> subs_;  // used by the polling thread
  std::unordered_map<std::string, int64_t> parsed_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> connected_{0};
  std::atomic<uint64_t> events_{0};
  std::thread poller_;

  mutable std::mutex mu_;  // guards the members below
  std::vector<Batch> batches_;
  std::vector<size_t> next_;  // per subscriber: the first batch it has not seen
  std::vector<bool> first_;   // per subscriber: had its first event
  std::vector<double> lag_ms_;
};

}  // namespace rotor::bench
