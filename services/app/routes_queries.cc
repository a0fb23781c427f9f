// Query routes over the fleet and audit projections: rollouts and their
// progress, timelines, stale agents, one agent, certificates, and the
// snapshot behind GET /v1/stream (the agent lists: routes_agent_lists.cc).
// Each but the stream answers as of `as_of` too (services/app/as_of.h); the
// stream refuses it.
// See docs/api.md.
#include "services/app/as_of.h"
#include "services/app/engine_core.h"
#include "services/app/json_views.h"

namespace rotor::app {
namespace {

using nlohmann::json;
using projections::FleetProjection;

ApiResponse ListRollouts(EngineCore& core, const RouteContext& ctx) {
  Result<json> rollouts = ReadFleetAsOf(core, ctx.request, [](const FleetProjection& fleet) {
    json out = json::array();
    for (const projections::RolloutProgress& p : fleet.Rollouts()) out.push_back(ToJson(p));
    return out;
  });
  if (!rollouts.ok()) return ErrorResponse(rollouts.status());
  return JsonResponse({{"rollouts", std::move(*rollouts)}});
}

ApiResponse GetRollout(EngineCore& core, const RouteContext& ctx) {
  Result<std::optional<projections::RolloutProgress>> p = ReadFleetAsOf(
      core, ctx.request,
      [&](const FleetProjection& fleet) { return fleet.ProgressWithBreakdown(ctx.params[0]); });
  if (!p.ok()) return ErrorResponse(p.status());
  if (!p->has_value()) {
    return ErrorResponse(Status::NotFound("rollout " + ctx.params[0] + " does not exist"));
  }
  return JsonResponse(ToJson(**p));
}

ApiResponse Timeline(EngineCore& core, const RouteContext& ctx) {
  const std::string& id = ctx.params[0];
  Result<bool> exists = ReadFleetAsOf(core, ctx.request, [&](const FleetProjection& fleet) {
    return fleet.Progress(id).has_value();
  });
  if (!exists.ok()) return ErrorResponse(exists.status());
  Result<std::vector<projections::AuditEntry>> entries =
      ReadAuditAsOf(core, ctx.request,
                    [&](const projections::AuditProjection& audit) { return audit.Timeline(id); });
  if (!entries.ok()) return ErrorResponse(entries.status());
  if (!*exists && entries->empty()) {
    return ErrorResponse(Status::NotFound("rollout " + id + " does not exist"));
  }
  json out = json::array();
  for (const projections::AuditEntry& e : *entries) out.push_back(ToJson(e));
  return JsonResponse({{"rollout_id", id}, {"entries", std::move(out)}});
}

ApiResponse StaleAgents(EngineCore& core, const RouteContext& ctx) {
  Result<json> agents = ReadFleetAsOf(core, ctx.request, [](const FleetProjection& fleet) {
    json out = json::array();
    for (const projections::StaleAgent& a : fleet.StaleAgents()) out.push_back(ToJson(a));
    return out;
  });
  if (!agents.ok()) return ErrorResponse(agents.status());
  size_t count = agents->size();
  return JsonResponse({{"stale_agents", std::move(*agents)}, {"count", count}});
}

ApiResponse GetAgent(EngineCore& core, const RouteContext& ctx) {
  Result<std::optional<projections::AgentView>> agent = ReadFleetAsOf(
      core, ctx.request, [&](const FleetProjection& fleet) { return fleet.Agent(ctx.params[0]); });
  if (!agent.ok()) return ErrorResponse(agent.status());
  if (!agent->has_value()) {
    return ErrorResponse(Status::NotFound("agent " + ctx.params[0] + " is unknown"));
  }
  return JsonResponse(ToJson(**agent));
}

// "Due within N days" counts from now, or, as of a moment, from then.
ApiResponse ListCertificates(EngineCore& core, const RouteContext& ctx) {
  bool due = ctx.request.query.count("due_within_days") > 0;
  Result<uint64_t> days = QueryNumber(ctx.request, "due_within_days", 0, 36500);
  if (!days.ok()) return ErrorResponse(days.status());
  bool past = ctx.request.query.count("as_of") > 0;
  Time now = core.Now();
  Result<json> certificates = ReadFleetAsOf(core, ctx.request, [&](const FleetProjection& fleet) {
    json out = json::array();
    std::vector<projections::CertificateView> views =
        due ? fleet.CertificatesDueForRenewal(past ? fleet.as_of() : now, static_cast<int>(*days))
            : fleet.Certificates();
    for (const projections::CertificateView& c : views) out.push_back(ToJson(c));
    return out;
  });
  if (!certificates.ok()) return ErrorResponse(certificates.status());
  return JsonResponse({{"certificates", std::move(*certificates)}});
}

// In-process callers get the current progress of every rollout; rotord's
// HTTP server answers this route with a Server-Sent Events stream instead
// (after this handler answered 200). The stream follows the present only.
ApiResponse StreamSnapshot(EngineCore& core, const RouteContext& ctx) {
  if (ctx.request.query.count("as_of") > 0) {
    return ErrorResponse(Status::InvalidArgument(
        "GET /v1/stream follows the present and takes no 'as_of': for a past moment use GET "
        "/v1/rollouts?as_of= or GET /v1/replay?as_of="));
  }
  json rollouts = core.ReadFleet([](const FleetProjection& fleet) {
    json out = json::array();
    for (const projections::RolloutProgress& summary : fleet.Rollouts()) {
      std::optional<projections::RolloutProgress> p =
          fleet.ProgressWithBreakdown(summary.rollout_id);
      if (p.has_value()) out.push_back(ToJson(*p));
    }
    return out;
  });
  return JsonResponse({{"rollouts", std::move(rollouts)}});
}

}  // namespace

void AddQueryRoutes(EngineCore& core) {
  EngineCore* c = &core;
  Router& r = core.router;
  auto add = [&](const char* pattern, ApiResponse (*handler)(EngineCore&, const RouteContext&)) {
    r.Add("GET", pattern, kReaders, RouteKind::kQuery,
          [c, handler](const RouteContext& ctx) { return handler(*c, ctx); });
  };
  add("/v1/rollouts", ListRollouts);
  add("/v1/rollouts/{id}", GetRollout);
  add("/v1/rollouts/{id}/timeline", Timeline);
  add("/v1/stale-agents", StaleAgents);
  add("/v1/agents/{id}", GetAgent);
  add("/v1/certificates", ListCertificates);
  add("/v1/stream", StreamSnapshot);
}

}  // namespace rotor::app
