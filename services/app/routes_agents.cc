// Routes for agents: inventory reports (one or a batch), deleting an agent's
// resource, and stale sweeps. See docs/api.md. An agent principal may report
// only for its own agent (CheckSpeaksFor): one foreign report refuses the
// whole batch before anything is appended.
#include "events/codec.h"
#include "services/app/engine_core.h"
#include "services/app/json_body.h"
#include "services/app/report_batch_json.h"
#include "services/domain/report_outcome.h"

namespace rotor::app {
namespace {

using nlohmann::json;

ApiResponse IngestOne(EngineCore& core, const RouteContext& ctx) {
  Result<json> parsed = ParseJson(ctx.request.body);
  if (!parsed.ok()) return ErrorResponse(parsed.status());
  if (!parsed->is_object()) {
    return ErrorResponse(Status::InvalidArgument("an agent report must be a JSON object"));
  }
  Result<AgentReport> report = ParseAgentReportJson(ctx.request.body);
  if (!report.ok()) return ErrorResponse(report.status());
  ROTOR_RETURN_IF_ERROR_RESPONSE(CheckSpeaksFor(ctx.request.principal, report->agent_id));
  domain::IngestAgentReport command{*report, core.Now(), ctx.request.principal.name,
                                    core.options.max_clock_skew};
  Result<domain::CommandOutcome> outcome = core.Execute(command);
  json extra = {{"report_id", report->report_id}};
  if (outcome.ok()) {
    Result<domain::ReportOutcome> report_outcome = domain::ClassifyReport(outcome);
    extra["disposition"] = domain::ReportDispositionName(report_outcome->disposition);
    if (report_outcome->disposition == domain::ReportDisposition::kRejected) {
      extra["reason"] = report_outcome->reason;
    }
  }
  return CommandResponse(core, outcome, std::move(extra));
}

// Takes report `i` of a batch, or returns the response refusing the batch.
std::optional<ApiResponse> Accept(const RouteContext& ctx, size_t i, Result<AgentReport> report,
                                  std::vector<AgentReport>* reports) {
  std::string where = "reports[" + std::to_string(i) + "]";
  if (!report.ok()) return ErrorResponse(report.status().WithContext(where));
  Status speaks = CheckSpeaksFor(ctx.request.principal, report->agent_id);
  if (!speaks.ok()) return ErrorResponse(speaks.WithContext(where + " (the batch is refused)"));
  reports->push_back(std::move(*report));
  return std::nullopt;
}

// The fast path for a plain body (report_batch_json.h, agent_report_json.h):
// false, deciding nothing, when the body or any report is not plain; else
// true with the reports or the refusal, as ParseBatchDocument would give.
bool ParsePlainBatch(const RouteContext& ctx, std::vector<AgentReport>* reports,
                     std::optional<ApiResponse>* refusal) {
  std::vector<std::string_view> items;
  if (!SplitPlainReportBatch(ctx.request.body, &items)) return false;
  std::vector<Result<AgentReport>> parsed;
  parsed.reserve(items.size());
  for (std::string_view item : items) {
    std::optional<Result<AgentReport>> report = ParsePlainAgentReportJson(item);
    if (!report.has_value()) return false;
    parsed.push_back(std::move(*report));
  }
  reports->reserve(parsed.size());
  for (size_t i = 0; i < parsed.size() && !refusal->has_value(); ++i) {
    *refusal = Accept(ctx, i, std::move(parsed[i]), reports);
  }
  return true;
}

// The body as a JSON document: the reports, or the response refusing the
// batch. Every report is parsed first: a malformed one refuses the batch.
std::optional<ApiResponse> ParseBatchDocument(const RouteContext& ctx,
                                              std::vector<AgentReport>* reports) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  bool present = body->Has("reports");
  const json* items = body->Raw("reports");
  if (!present) body->Fail("missing field 'reports'");
  if (items != nullptr && !items->is_array()) body->Fail("field 'reports' must be an array");
  if (Status finished = body->Finish(); !finished.ok()) return ErrorResponse(finished);
  reports->reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    if (!item.is_object()) {
      return ErrorResponse(
          Status::InvalidArgument("reports[" + std::to_string(i) + "] must be a JSON object"));
    }
    if (auto refusal = Accept(ctx, i, ParseAgentReportJson(item.dump()), reports)) return refusal;
  }
  return std::nullopt;
}

ApiResponse IngestBatch(EngineCore& core, const RouteContext& ctx) {
  std::vector<AgentReport> reports;
  std::optional<ApiResponse> refusal;
  if (!ParsePlainBatch(ctx, &reports, &refusal)) {
    reports.clear();
    refusal = ParseBatchDocument(ctx, &reports);
  }
  if (refusal.has_value()) return std::move(*refusal);
  uint64_t ingested = 0;
  uint64_t duplicates = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  json rejected = json::array();
  std::vector<domain::Command> commands;
  commands.reserve(reports.size());
  for (AgentReport& report : reports) {  // moved: each report is parsed once and never copied
    commands.emplace_back(domain::IngestAgentReport{
        std::move(report), core.Now(), ctx.request.principal.name, core.options.max_clock_skew});
  }
  std::vector<Result<domain::CommandOutcome>> outcomes = core.ExecuteBatch(commands);
  for (size_t i = 0; i < commands.size(); ++i) {
    Result<domain::ReportOutcome> outcome = domain::ClassifyReport(outcomes[i]);
    if (!outcome.ok()) {
      return ErrorResponse(outcome.status().WithContext(
          "report " + std::to_string(i) + " (" + std::to_string(ingested) +
          " of this batch were ingested before it; resending the batch is safe)"));
    }
    if (outcomes[i].ok()) {
      for (const domain::AppendedStream& s : outcomes[i]->appended) {
        first = first == 0 ? s.result.first_sequence : std::min(first, s.result.first_sequence);
        last = std::max(last, s.result.last_sequence);
      }
    }
    switch (outcome->disposition) {
      case domain::ReportDisposition::kIngested:
        ++ingested;
        break;
      case domain::ReportDisposition::kDuplicate:
        ++duplicates;
        break;
      case domain::ReportDisposition::kRejected:
      case domain::ReportDisposition::kInvalid:
        rejected.push_back(
            {{"index", i},
             {"report_id", std::get<domain::IngestAgentReport>(commands[i]).report.report_id},
             {"reason", outcome->disposition == domain::ReportDisposition::kInvalid
                            ? outcome->error.message()
                            : outcome->reason}});
        break;
    }
  }
  json out = {{"ingested", ingested}, {"duplicates", duplicates}, {"rejected", rejected}};
  if (first != 0) {
    out["first_sequence"] = first;
    out["last_sequence"] = last;
  }
  return JsonResponse(out);
}

ApiResponse DeleteAgent(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string reason = body->String("reason").value_or("");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::DeleteAgentResource command{ctx.params[0], reason, ctx.request.principal.name,
                                      core.Now()};
  return CommandResponse(core, core.Execute(command), {{"agent_id", ctx.params[0]}});
}

ApiResponse Sweep(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  constexpr int64_t kTenYears = int64_t{10} * 366 * 24 * 3600;
  std::optional<int64_t> seconds = body->Int("threshold_seconds", 1, kTenYears);
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::FlagStaleAgents command;
  command.threshold =
      seconds ? Micros(std::chrono::seconds(*seconds)) : core.options.stale_threshold;
  command.actor = ctx.request.principal.name;
  command.now = core.Now();
  Result<domain::CommandOutcome> outcome = core.Execute(command);
  uint64_t flagged = 0;
  if (outcome.ok()) {
    for (const domain::AppendedStream& s : outcome->appended) flagged += s.events.size();
  }
  auto threshold = std::chrono::duration_cast<std::chrono::seconds>(command.threshold).count();
  return CommandResponse(core, outcome, {{"flagged", flagged}, {"threshold_seconds", threshold}});
}

}  // namespace

void AddAgentRoutes(EngineCore& core) {
  EngineCore* c = &core;
  Router& r = core.router;
  r.Add("POST", "/v1/reports", kOperator | kAgent | kIngest, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return IngestOne(*c, ctx); });
  r.Add("POST", "/v1/reports:batch", kOperator | kAgent | kIngest, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return IngestBatch(*c, ctx); });
  r.Add("DELETE", "/v1/agents/{id}", kOperator, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return DeleteAgent(*c, ctx); });
  r.Add("POST", "/v1/sweeps/stale", kOperator, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return Sweep(*c, ctx); });
}

}  // namespace rotor::app
