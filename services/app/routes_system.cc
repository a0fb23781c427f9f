// System routes: Prometheus metrics, the health check, who is calling, and
// the virtual clock (only with --virtual-clock). See docs/api.md and docs/operations.md.
#include "services/app/engine_core.h"
#include "services/app/json_body.h"

namespace rotor::app {
namespace {

using nlohmann::json;

MetricsSnapshot Snapshot(const EngineCore& core) {
  MetricsSnapshot s;
  s.head = core.log->Head();
  auto sample = [&core](const projections::ProjectionRunner& runner) {
    projections::Lag lag = runner.lag();
    uint64_t checkpoint = runner.checkpoint().sequence;
    if (checkpoint == 0 && lag.events > 0) {
      // Nothing folded yet: the lag in time runs from the first event.
      RecordedEvent first;
      RecordedEvent head;
      lag.seconds = 0;
      if (core.log->ReadOne(1, &first).ok() && core.log->ReadOne(core.log->Head(), &head).ok()) {
        lag.seconds = std::chrono::duration<double>(head.recorded_at - first.recorded_at).count();
      }
    }
    return ProjectionLagSample{checkpoint, lag.events, lag.seconds};
  };
  s.projections["fleet"] = sample(*core.fleet_runner);
  s.projections["audit"] = sample(*core.audit_runner);
  for (int i = 0; i <= static_cast<int>(projections::RolloutStatus::kCompleted); ++i) {
    s.rollouts_by_state[std::string(
        projections::RolloutStatusName(static_cast<projections::RolloutStatus>(i)))] = 0;
  }
  core.ReadFleet([&](const projections::FleetProjection& fleet) {
    for (const projections::RolloutProgress& p : fleet.Rollouts()) {
      ++s.rollouts_by_state[std::string(projections::RolloutStatusName(p.status))];
    }
    s.stale_agents = fleet.stale_count();
    s.live_agents = fleet.live_agents();
    return 0;
  });
  s.stream_subscribers = core.hub->subscribers();
  return s;
}

ApiResponse GetMetrics(EngineCore& core, const RouteContext&) {
  ApiResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = core.metrics.Render(Snapshot(core));
  return response;
}

ApiResponse Healthz(EngineCore& core, const RouteContext&) {
  ApiResponse response;
  response.content_type = "text/plain; charset=utf-8";
  Status problem;
  if (core.closed.load(std::memory_order_acquire) || core.log->closed()) {
    problem = Status::Cancelled("shutting down");
  } else if (Status s = core.fleet_runner->status(); !s.ok()) {
    problem = s.WithContext("fleet projection");
  } else if (Status a = core.audit_runner->status(); !a.ok()) {
    problem = a.WithContext("audit projection");
  }
  if (problem.ok()) {
    response.body = "ok\n";
  } else {
    response.status = 503;
    response.body = problem.ToString() + "\n";
  }
  return response;
}

ApiResponse GetClock(EngineCore& core, const RouteContext&) {
  return JsonResponse({{"now", FormatTime(core.Now())}, {"virtual", true}});
}

ApiResponse SetClock(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  bool present = body->Has("now");
  std::optional<Time> now = body->TimeField("now");
  if (!present) body->Fail("missing field 'now'");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  if (uint64_t head = core.log->Head(); head > 0) {
    RecordedEvent last;
    ROTOR_RETURN_IF_ERROR_RESPONSE(core.log->ReadOne(head, &last));
    if (*now < last.recorded_at) {
      return ErrorResponse(Status::FailedPrecondition(
          "the virtual clock cannot go before the latest event's time " +
          FormatTime(last.recorded_at) + " (asked for " + FormatTime(*now) + ")"));
    }
  }
  core.options.virtual_clock->Set(*now);
  return JsonResponse({{"now", FormatTime(core.Now())}, {"virtual", true}});
}

// Who the credential speaks for: the console shows it on every screen and
// offers only the actions the role may take (docs/api.md, the role table).
ApiResponse WhoAmI(const RouteContext& ctx) {
  const Principal& p = ctx.request.principal;
  return JsonResponse({{"name", p.name}, {"role", std::string(RoleName(p.role))}});
}

}  // namespace

void AddSystemRoutes(EngineCore& core) {
  EngineCore* c = &core;
  Router& r = core.router;
  r.Add("GET", "/metrics", kReaders, RouteKind::kStatus,
        [c](const RouteContext& ctx) { return GetMetrics(*c, ctx); });
  r.Add("GET", "/healthz", kReaders | kAgent | kIngest, RouteKind::kPublic,
        [c](const RouteContext& ctx) { return Healthz(*c, ctx); });
  r.Add("GET", "/v1/whoami", kReaders | kAgent, RouteKind::kStatus, WhoAmI);
  if (core.options.virtual_clock) {
    r.Add("GET", "/v1/clock", kReaders | kAgent | kIngest, RouteKind::kStatus,
          [c](const RouteContext& ctx) { return GetClock(*c, ctx); });
    r.Add("POST", "/v1/clock", kAdminOnly, RouteKind::kCommand,
          [c](const RouteContext& ctx) { return SetClock(*c, ctx); });
  }
}

}  // namespace rotor::app
