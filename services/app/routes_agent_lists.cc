// The agent lists, paged and filtered by the server (docs/api.md):
//   GET /v1/agents?prefix=&gateway=&site=&stale=&revoked=&deleted=&offset=&limit=
//   GET /v1/rollouts/{id}/agents?status=outstanding|stale|counted&... (same filters)
// A reply holds one page and the count of every match, never the whole list.
// Also an agent's own history: GET /v1/agents/{id}/timeline?limit=N, the
// latest N events of its stream (reports, stale flags, revocation,
// deletion, renewals), oldest first. Each also answers as of `as_of`
// (services/app/as_of.h).
#include "services/app/as_of.h"
#include "services/app/engine_core.h"
#include "services/app/json_views.h"
#include "services/app/query_params.h"
#include "services/domain/streams.h"

namespace rotor::app {
namespace {

using nlohmann::json;
using projections::AgentFilter;
using projections::RolloutAgentSet;

// "true" or "false"; nullopt when absent. Errors: kInvalidArgument naming it.
Result<std::optional<bool>> QueryFlag(const ApiRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  if (it == request.query.end() || it->second.empty()) return std::optional<bool>();
  if (it->second == "true") return std::optional<bool>(true);
  if (it->second == "false") return std::optional<bool>(false);
  return Status::InvalidArgument("query parameter '" + name + "' must be true or false, got '" +
                                 it->second + "'");
}

std::optional<std::string> QueryText(const ApiRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  if (it == request.query.end()) return std::nullopt;
  return it->second;
}

// The filter a request asks for. Errors: kInvalidArgument naming an unknown
// or malformed parameter.
Result<AgentFilter> ParseFilter(const ApiRequest& request, bool in_rollout) {
  if (in_rollout) {
    ROTOR_RETURN_IF_ERROR(
        OnlyQueryParameters(request, {"prefix", "gateway", "site", "stale", "revoked", "deleted",
                                      "offset", "limit", "status", "as_of"}));
  } else {
    ROTOR_RETURN_IF_ERROR(OnlyQueryParameters(
        request,
        {"prefix", "gateway", "site", "stale", "revoked", "deleted", "offset", "limit", "as_of"}));
  }
  AgentFilter filter;
  filter.agent_id_prefix = QueryText(request, "prefix").value_or("");
  filter.gateway_id = QueryText(request, "gateway");
  filter.site = QueryText(request, "site");
  for (auto [name, flag] :
       {std::pair{"stale", &filter.stale}, std::pair{"revoked", &filter.revoked},
        std::pair{"deleted", &filter.deleted}}) {
    Result<std::optional<bool>> value = QueryFlag(request, name);
    if (!value.ok()) return value.status();
    *flag = *value;
  }
  if (in_rollout) {
    std::string status = QueryText(request, "status").value_or("outstanding");
    if (status == "outstanding") {
      filter.set = RolloutAgentSet::kOutstanding;
    } else if (status == "stale") {
      filter.set = RolloutAgentSet::kStale;
    } else if (status == "counted") {
      filter.set = RolloutAgentSet::kCounted;
    } else {
      return Status::InvalidArgument(
          "query parameter 'status' must be outstanding, stale or counted, got '" + status + "'");
    }
  }
  return filter;
}

ApiResponse ListAgents(EngineCore& core, const RouteContext& ctx, bool in_rollout) {
  Result<AgentFilter> filter = ParseFilter(ctx.request, in_rollout);
  if (!filter.ok()) return ErrorResponse(filter.status());
  if (in_rollout) filter->rollout_id = ctx.params[0];
  Result<uint64_t> offset = QueryNumber(ctx.request, "offset", 0, UINT32_MAX);
  if (!offset.ok()) return ErrorResponse(offset.status());
  Result<uint64_t> limit = QueryNumber(ctx.request, "limit", 100, 10000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  Result<std::optional<projections::AgentPage>> read =
      ReadFleetAsOf(core, ctx.request, [&](const projections::FleetProjection& fleet) {
        return fleet.FindAgents(*filter, *offset, *limit);
      });
  if (!read.ok()) return ErrorResponse(read.status());
  std::optional<projections::AgentPage>& page = *read;
  if (!page.has_value()) {
    return ErrorResponse(Status::NotFound("rollout " + filter->rollout_id + " does not exist"));
  }
  json agents = json::array();
  for (const projections::AgentView& a : page->agents) agents.push_back(ToJson(a));
  json body = {{"agents", std::move(agents)},
               {"offset", *offset},
               {"limit", *limit},
               {"total", page->total}};
  if (in_rollout) body["rollout_id"] = filter->rollout_id;
  if (auto as_of = ctx.request.query.find("as_of"); as_of != ctx.request.query.end()) {
    body["as_of"] = as_of->second;
  }
  return JsonResponse(body);
}

// How many of `stream`'s first `version` events have a sequence at most
// `last` (a binary search over its versions).
Result<uint64_t> StreamVersionAt(const EventLog& log, const std::string& stream, uint64_t version,
                                 uint64_t last) {
  uint64_t lo = 0;  // versions 1..lo are at most `last`
  uint64_t hi = version;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    std::vector<uint64_t> sequence;
    ROTOR_RETURN_IF_ERROR(log.StreamSequences(stream, mid, 1, &sequence));
    if (!sequence.empty() && sequence[0] <= last) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

ApiResponse AgentTimeline(EngineCore& core, const RouteContext& ctx) {
  const std::string& id = ctx.params[0];
  ROTOR_RETURN_IF_ERROR_RESPONSE(OnlyQueryParameters(ctx.request, {"limit", "as_of"}));
  Result<uint64_t> limit = QueryNumber(ctx.request, "limit", 100, 1000);
  if (!limit.ok()) return ErrorResponse(limit.status());
  Result<std::shared_ptr<const projections::ReadModels>> then = ModelsAsOf(core, ctx.request);
  if (!then.ok()) return ErrorResponse(then.status());
  std::string stream = domain::AgentStream(id);
  Result<uint64_t> version = core.log->StreamVersion(stream);
  if (!version.ok()) return ErrorResponse(version.status());
  if (*then != nullptr) {  // only the events up to the moment asked
    version = StreamVersionAt(*core.log, stream, *version, (*then)->folded.last.sequence);
    if (!version.ok()) return ErrorResponse(version.status());
  }
  if (*version == 0) return ErrorResponse(Status::NotFound("agent " + id + " is unknown"));
  uint64_t from = *version > *limit ? *version - *limit + 1 : 1;
  std::vector<uint64_t> sequences;
  ROTOR_RETURN_IF_ERROR_RESPONSE(
      core.log->StreamSequences(stream, from, *version - from + 1, &sequences));
  json entries = json::array();
  for (uint64_t sequence : sequences) {
    RecordedEvent event;
    ROTOR_RETURN_IF_ERROR_RESPONSE(core.log->ReadOne(sequence, &event));
    entries.push_back(EventToJson(event));
  }
  return JsonResponse(
      {{"agent_id", id}, {"events_total", *version}, {"entries", std::move(entries)}});
}

}  // namespace

void AddAgentListRoutes(EngineCore& core) {
  EngineCore* c = &core;
  core.router.Add("GET", "/v1/agents", kReaders, RouteKind::kQuery,
                  [c](const RouteContext& ctx) { return ListAgents(*c, ctx, false); });
  core.router.Add("GET", "/v1/rollouts/{id}/agents", kReaders, RouteKind::kQuery,
                  [c](const RouteContext& ctx) { return ListAgents(*c, ctx, true); });
  core.router.Add("GET", "/v1/agents/{id}/timeline", kReaders, RouteKind::kQuery,
                  [c](const RouteContext& ctx) { return AgentTimeline(*c, ctx); });
}

}  // namespace rotor::app
