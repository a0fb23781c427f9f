#include "services/app/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace rotor::app {

struct Metrics::Families {
  prometheus::Counter* events_appended = nullptr;
  prometheus::Histogram* append_latency = nullptr;
  prometheus::Family<prometheus::Counter>* commands = nullptr;
  prometheus::Family<prometheus::Counter>* refused = nullptr;
  prometheus::Family<prometheus::Counter>* requests = nullptr;
  prometheus::Family<prometheus::Counter>* denied = nullptr;
  prometheus::Gauge* head = nullptr;
  prometheus::Family<prometheus::Gauge>* checkpoint = nullptr;
  prometheus::Family<prometheus::Gauge>* lag_events = nullptr;
  prometheus::Family<prometheus::Gauge>* lag_seconds = nullptr;
  prometheus::Family<prometheus::Gauge>* rollouts = nullptr;
  prometheus::Gauge* stale = nullptr;
  prometheus::Gauge* agents = nullptr;
  prometheus::Gauge* stream_subscribers = nullptr;
};

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()), f_(std::make_unique<Families>()) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;
  prometheus::Registry& r = *registry_;
  f_->events_appended = &BuildCounter()
                             .Name("rotor_events_appended_total")
                             .Help("Events appended to the log by this process's commands")
                             .Register(r)
                             .Add({});
  f_->append_latency = &BuildHistogram()
                            .Name("rotor_append_latency_seconds")
                            .Help("Time to decide and durably append a command's events")
                            .Register(r)
                            .Add({}, prometheus::Histogram::BucketBoundaries{
                                         0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                         0.5, 1, 2.5, 5});
  f_->commands = &BuildCounter()
                      .Name("rotor_commands_total")
                      .Help("Commands executed, by command and outcome")
                      .Register(r);
  f_->refused = &BuildCounter()
                     .Name("rotor_commands_refused_total")
                     .Help("Lifecycle commands refused by the rules (recorded as CommandRefused)")
                     .Register(r);
  f_->requests = &BuildCounter()
                      .Name("rotor_http_requests_total")
                      .Help("API requests answered, by method, route and HTTP status")
                      .Register(r);
  f_->denied = &BuildCounter()
                    .Name("rotor_requests_denied_total")
                    .Help("Requests refused with 401 or 403, by HTTP status and reason")
                    .Register(r);
  f_->head = &BuildGauge()
                  .Name("rotor_log_head_sequence")
                  .Help("Sequence of the last event in the log")
                  .Register(r)
                  .Add({});
  f_->checkpoint = &BuildGauge()
                        .Name("rotor_projection_checkpoint_sequence")
                        .Help("Last event committed by each projection")
                        .Register(r);
  f_->lag_events = &BuildGauge()
                        .Name("rotor_projection_lag_events")
                        .Help("Events between the log's head and each projection's checkpoint")
                        .Register(r);
  f_->lag_seconds = &BuildGauge()
                         .Name("rotor_projection_lag_seconds")
                         .Help("Log time between the head and each projection's checkpoint")
                         .Register(r);
  f_->rollouts = &BuildGauge().Name("rotor_rollouts").Help("Rollouts by state").Register(r);
  f_->stale = &BuildGauge()
                   .Name("rotor_stale_agents")
                   .Help("Agents flagged stale and not deleted")
                   .Register(r)
                   .Add({});
  f_->agents = &BuildGauge()
                    .Name("rotor_agents")
                    .Help("Agents that reported an inventory and are not deleted")
                    .Register(r)
                    .Add({});
  f_->stream_subscribers = &BuildGauge()
                                .Name("rotor_stream_subscribers")
                                .Help("Open live progress streams (GET /v1/stream)")
                                .Register(r)
                                .Add({});
}

Metrics::~Metrics() = default;

void Metrics::CommandsExecuted(std::string_view command, std::string_view outcome, uint64_t count,
                               double seconds, uint64_t events_appended) {
  f_->commands->Add({{"command", std::string(command)}, {"outcome", std::string(outcome)}})
      .Increment(static_cast<double>(count));
  if (events_appended > 0) {
    f_->events_appended->Increment(static_cast<double>(events_appended));
    // Only appending commands are timed; with "appended" every one of them appended.
    for (uint64_t i = 0; i < count; ++i) f_->append_latency->Observe(seconds);
  }
}

void Metrics::CommandRefused(std::string_view command) {
  f_->refused->Add({{"command", std::string(command)}}).Increment();
}

void Metrics::RequestServed(std::string_view method, std::string_view route, int status) {
  f_->requests
      ->Add({{"method", std::string(method)},
             {"route", std::string(route)},
             {"code", std::to_string(status)}})
      .Increment();
}

void Metrics::RequestDenied(int status, std::string_view reason) {
  f_->denied->Add({{"code", std::to_string(status)}, {"reason", std::string(reason)}}).Increment();
}

std::string Metrics::Render(const MetricsSnapshot& s) {
  std::lock_guard<std::mutex> lock(render_mu_);
  f_->head->Set(static_cast<double>(s.head));
  for (const auto& [name, lag] : s.projections) {
    f_->checkpoint->Add({{"projection", name}}).Set(static_cast<double>(lag.checkpoint));
    f_->lag_events->Add({{"projection", name}}).Set(static_cast<double>(lag.lag_events));
    f_->lag_seconds->Add({{"projection", name}}).Set(lag.lag_seconds);
  }
  for (const auto& [state, count] : s.rollouts_by_state) {
    f_->rollouts->Add({{"state", state}}).Set(static_cast<double>(count));
  }
  f_->stale->Set(static_cast<double>(s.stale_agents));
  f_->agents->Set(static_cast<double>(s.live_agents));
  f_->stream_subscribers->Set(static_cast<double>(s.stream_subscribers));
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace rotor::app
