// Decider for IngestAgentReport. See decide.h.
#include <algorithm>

#include "services/domain/decide.h"
#include "services/domain/streams.h"
#include "services/domain/validation.h"

namespace rotor::domain {
namespace {

Status CheckReportFields(const AgentReport& r) {
  ROTOR_RETURN_IF_ERROR(CheckId("agent id", r.agent_id));
  for (const std::string& fp : r.certificate_fingerprints) {
    ROTOR_RETURN_IF_ERROR(CheckFingerprint("certificate", fp));
  }
  if (!r.gateway_id.empty()) ROTOR_RETURN_IF_ERROR(CheckId("gateway id", r.gateway_id));
  return Status::Ok();
}

// Errors name the report: "agent report R: agent id ...". The context is
// built only on failure (this runs once per report, on the ingest path).
Status CheckReport(const AgentReport& r) {
  ROTOR_RETURN_IF_ERROR(CheckId("agent report id", r.report_id));
  Status fields = CheckReportFields(r);
  if (!fields.ok()) return fields.WithContext("agent report " + r.report_id);
  return Status::Ok();
}

// True when the report was recorded (accepted or rejected) already.
bool IsRepeat(const AgentReport& r, const AgentState& agent) {
  const auto& rejected = agent.rejected_report_ids;
  if (std::find(rejected.begin(), rejected.end(), r.report_id) != rejected.end()) return true;
  return agent.has_report && r.report_id == agent.last_report_id;
}

// True when the agent's latest report was dated more than `skew` ahead of the
// server's clock when it was recorded (an earlier version accepted it): it
// came from a wrong clock and does not order later reports.
bool LatestIsFromTheFuture(const AgentState& agent, Micros skew) {
  return agent.has_report && agent.last_report_at > agent.last_report_recorded_at + skew;
}

// True when the report is not newer than the agent's trusted latest report
// (pipelines deliver out of order): it must not change the inventory.
bool IsOutdated(const AgentReport& r, const AgentState& agent, Micros skew) {
  return agent.has_report && r.reported_at <= agent.last_report_at &&
         !LatestIsFromTheFuture(agent, skew);
}

std::string RevokedReason(const std::string& agent_id, const AgentState& agent) {
  return "the CEM certificate of agent " + agent_id + " was revoked at " +
         FormatTime(agent.revoked_at) + " (reason " + std::to_string(agent.revoke_reason) + " " +
         std::string(CrlReasonName(agent.revoke_reason)) + "); a revoked agent cannot get in";
}

std::string FutureReason(const IngestAgentReport& c) {
  return "the report is dated " + FormatTime(c.report.reported_at) + ", more than " +
         DurationText(c.max_clock_skew) + " ahead of the server's clock (" + FormatTime(c.now) +
         "); check the agent's clock";
}

// Why the report is rejected (recorded as AgentReportRejected); empty when it is not.
std::string RejectionReason(const IngestAgentReport& c, const AgentState* agent) {
  if (agent != nullptr && agent->revoked) return RevokedReason(c.report.agent_id, *agent);
  if (c.report.reported_at > c.now + c.max_clock_skew) return FutureReason(c);
  return "";
}

}  // namespace

Result<Decision> Decide(const IngestAgentReport& c, const DomainState& state) {
  const AgentReport& r = c.report;
  ROTOR_RETURN_IF_ERROR(CheckReport(r));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  Decision d(c.actor, c.now);
  const AgentState* agent = state.FindAgent(r.agent_id);
  if (agent != nullptr && IsRepeat(r, *agent)) return d;
  std::string rejection = RejectionReason(c, agent);
  if (!rejection.empty()) {
    d.Add(AgentReportRejected{r.report_id, r.agent_id, r.reported_at, std::move(rejection)});
  } else if (agent == nullptr || !IsOutdated(r, *agent, c.max_clock_skew)) {
    bool supersedes = agent != nullptr && r.reported_at <= agent->last_report_at &&
                      LatestIsFromTheFuture(*agent, c.max_clock_skew);
    d.Add(AgentInventoryReported{r.report_id, r.agent_id, r.reported_at, r.certificate_fingerprints,
                                 r.gateway_id, r.site, r.cloud_enabled, supersedes});
    if (agent != nullptr && agent->stale) {
      d.Add(AgentStaleCleared{r.agent_id, r.report_id, r.reported_at});
    }
  }
  if (!d.IsEmpty()) d.SetIdempotencyKey(AgentStream(r.agent_id), ReportIdempotencyKey(r.report_id));
  return d;
}

}  // namespace rotor::domain
