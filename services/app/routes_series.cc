// GET /v1/rollouts/{id}/series?points=N: a rollout's progress over log time
// (received and total against the time events were recorded), from its
// initiation to its end or to the latest event, for the console's chart.
// See docs/api.md. Costs one fold of the log up to that moment.
#include <algorithm>

#include "projections/progress_series.h"
#include "services/app/engine_core.h"
#include "services/app/query_params.h"

namespace rotor::app {
namespace {

using nlohmann::json;

ApiResponse Series(EngineCore& core, const RouteContext& ctx) {
  const std::string& id = ctx.params[0];
  ROTOR_RETURN_IF_ERROR_RESPONSE(OnlyQueryParameters(ctx.request, {"points"}));
  Result<uint64_t> points = QueryNumber(ctx.request, "points", 60, 500);
  if (!points.ok()) return ErrorResponse(points.status());
  if (*points < 2) {
    return ErrorResponse(Status::InvalidArgument("query parameter 'points' must be at least 2"));
  }
  struct Span {
    bool found = false;
    Time from;
    Time to;
  };
  Span span = core.ReadFleet([&](const projections::FleetProjection& fleet) {
    std::optional<projections::RolloutProgress> p = fleet.Progress(id);
    if (!p.has_value()) return Span{};
    return Span{true, p->initiated_at, p->ended_at.value_or(fleet.as_of())};
  });
  if (!span.found) return ErrorResponse(Status::NotFound("rollout " + id + " does not exist"));
  Result<std::vector<projections::ProgressSample>> series = projections::ProgressSeries(
      *core.log, id, span.from, std::max(span.from, span.to), static_cast<int>(*points));
  if (!series.ok()) return ErrorResponse(series.status());
  json samples = json::array();
  for (const projections::ProgressSample& s : *series) {
    samples.push_back({{"at", FormatTime(s.at)},
                       {"sequence", s.sequence},
                       {"total", s.total},
                       {"received", s.received},
                       {"stale", s.stale}});
  }
  return JsonResponse({{"rollout_id", id}, {"samples", std::move(samples)}});
}

}  // namespace

void AddSeriesRoutes(EngineCore& core) {
  EngineCore* c = &core;
  core.router.Add("GET", "/v1/rollouts/{id}/series", kReaders, RouteKind::kQuery,
                  [c](const RouteContext& ctx) { return Series(*c, ctx); });
}

}  // namespace rotor::app
