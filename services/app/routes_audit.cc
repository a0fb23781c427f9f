// Auditor routes: events by range (the export), hash-chain verification and
// replay "as of" a time or sequence number. See docs/api.md.
#include "base/base64.h"
#include "base/hash.h"
#include "events/verify.h"
#include "projections/fold.h"
#include "services/app/as_of_cache.h"
#include "services/app/engine_core.h"
#include "services/app/json_views.h"

namespace rotor::app {
namespace {

using nlohmann::json;

ApiResponse Events(EngineCore& core, const RouteContext& ctx) {
  Result<uint64_t> from = QueryNumber(ctx.request, "from", 1, UINT64_MAX - 1);
  if (!from.ok()) return ErrorResponse(from.status());
  Result<uint64_t> limit = QueryNumber(ctx.request, "limit", 100, 10000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  uint64_t start = std::max<uint64_t>(*from, 1);
  std::vector<RecordedEvent> read;
  uint64_t head = core.log->Head();
  if (*limit > 0 && start <= head) {
    ROTOR_RETURN_IF_ERROR_RESPONSE(core.log->Read(start, Direction::kForward, *limit, &read));
  }
  json events = json::array();
  for (const RecordedEvent& e : read) events.push_back(EventToJson(e));
  uint64_t next = read.empty() ? start : read.back().sequence + 1;
  return JsonResponse({{"events", std::move(events)}, {"next", next}, {"head", head}});
}

ApiResponse VerifyLog(EngineCore& core, const RouteContext&) {
  Result<uint64_t> tree_size = core.notary->CatchUp();
  // A tree that no longer matches the log (it is larger) is checked too: the
  // log lost records it held.
  uint64_t checked_size = tree_size.ok() ? *tree_size : core.tree->size();
  merkle::TileHashReader tree = core.tree->Reader();
  Result<VerifyReport> report = Verify(*core.log, &tree, checked_size);
  if (!report.ok()) return ErrorResponse(report.status());
  json out = {{"ok", report->ok},
              {"events", report->events},
              {"head_hash", ToHex(report->head_hash)},
              {"tree_size", report->events},
              {"tree_root", Base64Encode(std::string_view(
                                reinterpret_cast<const char*>(report->tree_root.data()), 32))},
              {"tree_leaves_checked", report->tree_leaves_checked}};
  if (!report->ok) {
    out["first_bad_sequence"] = report->first_bad_sequence;
    out["problem"] = report->problem;
  }
  return JsonResponse(out);
}

json ReplayJson(const projections::ReadModels& models, bool with_agents) {
  const projections::FleetProjection& fleet = models.fleet;
  json rollouts = json::array();
  for (const projections::RolloutProgress& summary : fleet.Rollouts()) {
    std::optional<projections::RolloutProgress> p = fleet.ProgressWithBreakdown(summary.rollout_id);
    if (p.has_value()) rollouts.push_back(ToJson(*p));
  }
  json stale = json::array();
  for (const projections::StaleAgent& a : fleet.StaleAgents()) stale.push_back(ToJson(a));
  json certificates = json::array();
  for (const projections::CertificateView& c : fleet.Certificates()) {
    certificates.push_back(ToJson(c));
  }
  json timelines = json::object();
  for (const std::string& id : models.audit.RolloutIds()) {
    json entries = json::array();
    for (const projections::AuditEntry& e : models.audit.Timeline(id)) entries.push_back(ToJson(e));
    timelines[id] = std::move(entries);
  }
  json out = {{"last_sequence", models.folded.last.sequence},
              {"last_recorded_at", models.folded.last.sequence > 0
                                       ? json(FormatTime(models.folded.last.recorded_at))
                                       : json(nullptr)},
              {"events", models.folded.events},
              {"snapshot_sequence", models.snapshot.sequence},
              {"rollouts", std::move(rollouts)},
              {"stale_agents", std::move(stale)},
              {"certificates", std::move(certificates)},
              {"agent_count", fleet.agent_count()},
              {"live_agents", fleet.live_agents()},
              {"timelines", std::move(timelines)}};
  if (with_agents) {
    json agents = json::array();
    for (const projections::AgentView& a : fleet.Agents(0, fleet.agent_count())) {
      agents.push_back(ToJson(a));
    }
    out["agents"] = std::move(agents);
  }
  return out;
}

ApiResponse Replay(EngineCore& core, const RouteContext& ctx) {
  Result<projections::FoldLimit> limit = ParseAsOf(ctx.request);
  if (!limit.ok()) return ErrorResponse(limit.status());
  auto agents = ctx.request.query.find("agents");
  bool with_agents = agents != ctx.request.query.end() && agents->second == "true";
  Result<std::shared_ptr<const projections::ReadModels>> models =
      core.as_of.Get(*core.log, *core.store, *limit);
  if (!models.ok()) return ErrorResponse(models.status());
  json out = ReplayJson(**models, with_agents);
  out["as_of"] = ctx.request.query.at("as_of");
  return JsonResponse(out);
}

}  // namespace

void AddAuditRoutes(EngineCore& core) {
  EngineCore* c = &core;
  Router& r = core.router;
  r.Add("GET", "/v1/events", kAuditor, RouteKind::kQuery,
        [c](const RouteContext& ctx) { return Events(*c, ctx); });
  r.Add("GET", "/v1/verify", kAuditor, RouteKind::kQuery,
        [c](const RouteContext& ctx) { return VerifyLog(*c, ctx); });
  r.Add("GET", "/v1/replay", kAuditor, RouteKind::kQuery,
        [c](const RouteContext& ctx) { return Replay(*c, ctx); });
}

}  // namespace rotor::app
