// Metrics: rotord's Prometheus metrics (prometheus-cpp core), kept in the
// Engine so both transports serve the same numbers. Counters and the append
// latency histogram are updated as commands and requests run; gauges (log
// head, projection lag, rollouts by state, stale agents) are set from a
// Snapshot when the text is rendered for GET /metrics.
//
// Names (docs/operations.md, "Metrics"):
//   rotor_events_appended_total, rotor_append_latency_seconds (histogram),
//   rotor_commands_total{command,outcome}, rotor_commands_refused_total{command},
//   rotor_http_requests_total{method,route,code},
//   rotor_requests_denied_total{code,reason},
//   rotor_log_head_sequence, rotor_projection_checkpoint_sequence{projection},
//   rotor_projection_lag_events{projection}, rotor_projection_lag_seconds{projection},
//   rotor_rollouts{state}, rotor_stale_agents, rotor_agents.
//
// Thread safety: all methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace rotor::app {

struct ProjectionLagSample {
  uint64_t checkpoint = 0;
  uint64_t lag_events = 0;
  double lag_seconds = 0;
};

struct MetricsSnapshot {
  uint64_t head = 0;
  std::map<std::string, ProjectionLagSample> projections;  // by projection name
  std::map<std::string, uint64_t> rollouts_by_state;       // every state, zeros included
  uint64_t stale_agents = 0;
  uint64_t live_agents = 0;
  uint64_t stream_subscribers = 0;  // open Watch calls (GET /v1/stream and in-process)
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One command ran: `outcome` is "appended", "noop" or the error code name;
  // `seconds` is its latency (observed when it appended).
  void CommandExecuted(std::string_view command, std::string_view outcome, double seconds,
                       uint64_t events_appended) {
    CommandsExecuted(command, outcome, 1, seconds, events_appended);
  }
  // `count` commands of one kind ran with the same outcome and latency (a
  // batch), appending `events_appended` events between them: as many calls of
  // CommandExecuted, with the counter's labels looked up once.
  void CommandsExecuted(std::string_view command, std::string_view outcome, uint64_t count,
                        double seconds, uint64_t events_appended);
  // A lifecycle command was refused by the rules and the refusal recorded
  // (domain/refusals.h).
  void CommandRefused(std::string_view command);
  // One request was answered; `route` is the route's pattern ("unmatched" if none).
  void RequestServed(std::string_view method, std::string_view route, int status);

  // One request was denied (401 or 403), for `reason` (DenialName: a fixed set).
  void RequestDenied(int status, std::string_view reason);

  // Sets the gauges from `snapshot` and returns the Prometheus text format.
  std::string Render(const MetricsSnapshot& snapshot);

 private:
  struct Families;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> f_;
  std::mutex render_mu_;
};

}  // namespace rotor::app
