// Routes for replacements and their lifecycle (initiate, stage, switch
// bindings, finalize, cancel) and for gateways (auto-refresh, manual
// refresh). See docs/api.md.
#include <algorithm>

#include "services/app/engine_core.h"
#include "services/app/json_body.h"
#include "services/domain/progress.h"

namespace rotor::app {
namespace {

using nlohmann::json;

ApiResponse Initiate(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  domain::InitiateReplacement command;
  command.rollout_id = body->String("rollout_id").value_or(NewRolloutId());
  command.old_fingerprint = body->RequiredString("old_fingerprint");
  command.new_fingerprint = body->RequiredString("new_fingerprint");
  std::string mode = body->String("mode").value_or("direct");
  if (mode == "direct") {
    command.mode = ReplacementMode::kDirect;
    body->Forbid("required_staged_permille", "with mode direct");
  } else if (mode == "pre-staged") {
    command.mode = ReplacementMode::kPreStaged;
    command.required_staged_permille = static_cast<uint32_t>(
        body->Int("required_staged_permille", 1, 1000).value_or(domain::kAllAgentsPermille));
  } else {
    body->Forbid("required_staged_permille", "without a valid mode");
    body->Fail("field 'mode' must be direct or pre-staged, got '" + mode + "'");
  }
  if (std::optional<int64_t> days = body->Int("min_validity_days", 0, 36500)) {
    command.min_validity = std::chrono::days(*days);
  }
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  command.actor = ctx.request.principal.name;
  command.now = core.Now();
  return CommandResponse(core, core.Execute(command), {{"rollout_id", command.rollout_id}});
}

ApiResponse Stage(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string profile = body->String("communication_profile").value_or("default");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::StageCertificate command{ctx.params[0], profile, ctx.request.principal.name, core.Now()};
  return CommandResponse(core, core.Execute(command), {{"rollout_id", ctx.params[0]}});
}

ApiResponse SwitchBindings(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::SwitchBindings command{ctx.params[0], ctx.request.principal.name, core.Now()};
  return CommandResponse(core, core.Execute(command), {{"rollout_id", ctx.params[0]}});
}

// The rollout's numbers for a refused finalize: how many and which agents
// are outstanding (at most 100 listed).
json FinalizeDetails(EngineCore& core, const std::string& rollout_id) {
  json details;
  (void)core.commands->Read([&](const domain::DomainState& state) {
    const domain::RolloutState* rollout = state.FindRollout(rollout_id);
    if (rollout == nullptr) return;
    domain::RolloutProgress p = domain::ComputeProgress(state, *rollout, size_t{100});
    const std::vector<std::string>& listed = p.outstanding_agent_ids;
    details = {{"total", p.total},
               {"received", p.received},
               {"outstanding", p.Outstanding()},
               {"stale_outstanding", p.stale_outstanding},
               {"outstanding_agent_ids", listed}};
  });
  return details;
}

ApiResponse Finalize(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  bool force = body->Bool("force").value_or(false);
  std::string reason = body->String("reason").value_or("");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::FinalizeReplacement command{ctx.params[0], force, reason, ctx.request.principal.name,
                                      core.Now()};
  Result<domain::CommandOutcome> outcome = core.Execute(command);
  if (!outcome.ok() && outcome.status().code() == StatusCode::kFailedPrecondition) {
    ApiResponse refused = ErrorResponse(outcome.status());
    json details = FinalizeDetails(core, ctx.params[0]);
    if (!details.is_null() && details.value("outstanding", uint64_t{0}) > 0) {
      json error = json::parse(refused.body);
      error["error"]["details"] = std::move(details);
      refused.body = error.dump();
    }
    return refused;
  }
  return CommandResponse(core, outcome, {{"rollout_id", ctx.params[0]}});
}

ApiResponse Cancel(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string reason = body->String("reason").value_or("");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::CancelReplacement command{ctx.params[0], reason, ctx.request.principal.name, core.Now()};
  return CommandResponse(core, core.Execute(command), {{"rollout_id", ctx.params[0]}});
}

ApiResponse SetGateway(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  bool present = body->Has("auto_refresh");
  std::optional<bool> auto_refresh = body->Bool("auto_refresh");
  if (!present) body->Fail("missing field 'auto_refresh'");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::SetGatewayAutoRefresh command{ctx.params[0], auto_refresh.value_or(false),
                                        ctx.request.principal.name, core.Now()};
  return CommandResponse(core, core.Execute(command), {{"gateway_id", ctx.params[0]}});
}

ApiResponse RefreshGateway(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string rollout_id = body->String("rollout_id").value_or("");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::RefreshGateway command{ctx.params[0], rollout_id, ctx.request.principal.name, core.Now()};
  return CommandResponse(core, core.Execute(command), {{"gateway_id", ctx.params[0]}});
}

}  // namespace

void AddRolloutRoutes(EngineCore& core) {
  EngineCore* c = &core;
  Router& r = core.router;
  auto add = [&](const char* method, const char* pattern,
                 ApiResponse (*handler)(EngineCore&, const RouteContext&)) {
    r.Add(method, pattern, kOperator, RouteKind::kCommand,
          [c, handler](const RouteContext& ctx) { return handler(*c, ctx); });
  };
  add("POST", "/v1/replacements", Initiate);
  add("POST", "/v1/rollouts/{id}/stage", Stage);
  add("POST", "/v1/rollouts/{id}/switch-bindings", SwitchBindings);
  add("POST", "/v1/rollouts/{id}/finalize", Finalize);
  add("POST", "/v1/rollouts/{id}/cancel", Cancel);
  add("PUT", "/v1/gateways/{id}", SetGateway);
  add("POST", "/v1/gateways/{id}/refresh", RefreshGateway);
}

}  // namespace rotor::app
