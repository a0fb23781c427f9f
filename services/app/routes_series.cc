// GET /v1/rollouts/{id}/series?points=N[&as_of=]: a rollout's progress over
// log time (received and total against the time events were recorded), from
// its initiation to its end or to the latest event (or the moment `as_of`
// names), for the console's chart. See docs/api.md. Costs one fold of the log
// from the newest projection snapshot at or before the initiation.
#include <algorithm>

#include "projections/progress_series.h"
#include "services/app/as_of.h"
#include "services/app/engine_core.h"
#include "services/app/query_params.h"

namespace rotor::app {
namespace {

using nlohmann::json;

// The span of time the chart covers, and the last event it may fold.
struct Span {
  bool found = false;
  Time from;
  Time to;
  uint64_t last_sequence = kHeadSequence;
};

ApiResponse Series(EngineCore& core, const RouteContext& ctx) {
  const std::string& id = ctx.params[0];
  ROTOR_RETURN_IF_ERROR_RESPONSE(OnlyQueryParameters(ctx.request, {"points", "as_of"}));
  Result<uint64_t> points = QueryNumber(ctx.request, "points", 60, 500);
  if (!points.ok()) return ErrorResponse(points.status());
  if (*points < 2) {
    return ErrorResponse(Status::InvalidArgument("query parameter 'points' must be at least 2"));
  }
  const bool past = ctx.request.query.count("as_of") > 0;
  Result<Span> span =
      ReadFleetAsOf(core, ctx.request, [&](const projections::FleetProjection& fleet) {
        std::optional<projections::RolloutProgress> p = fleet.Progress(id);
        if (!p.has_value()) return Span{};
        Span s{true, p->initiated_at, p->ended_at.value_or(fleet.as_of())};
        if (past) s.last_sequence = fleet.last_sequence();
        return s;
      });
  if (!span.ok()) return ErrorResponse(span.status());
  if (!span->found) return ErrorResponse(Status::NotFound("rollout " + id + " does not exist"));
  projections::SeriesOptions options{span->last_sequence, core.store.get()};
  Result<projections::Series> series =
      projections::ProgressSeries(*core.log, id, span->from, std::max(span->from, span->to),
                                  static_cast<int>(*points), options);
  if (!series.ok()) return ErrorResponse(series.status());
  json samples = json::array();
  for (const projections::ProgressSample& s : series->samples) {
    samples.push_back({{"at", FormatTime(s.at)},
                       {"sequence", s.sequence},
                       {"total", s.total},
                       {"received", s.received},
                       {"stale", s.stale}});
  }
  return JsonResponse({{"rollout_id", id},
                       {"snapshot_sequence", series->snapshot_sequence},
                       {"samples", std::move(samples)}});
}

}  // namespace

void AddSeriesRoutes(EngineCore& core) {
  EngineCore* c = &core;
  core.router.Add("GET", "/v1/rollouts/{id}/series", kReaders, RouteKind::kQuery,
                  [c](const RouteContext& ctx) { return Series(*c, ctx); });
}

}  // namespace rotor::app
