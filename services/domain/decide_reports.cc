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

// True when the report repeats the agent's latest one (same time) or one of
// its latest rejected ones. An older repeat is caught by the log's
// idempotency key (CommandService).
bool IsRepeat(const AgentReport& r, const AgentState& agent, const DomainState& state) {
  if (agent.has_report && r.reported_at == agent.last_report_at) return true;
  auto it = state.rejected_reports.find(state.IndexOf(agent));
  if (it == state.rejected_reports.end()) return false;
  return std::find(it->second.begin(), it->second.end(), r.report_id) != it->second.end();
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

std::string RevokedReason(const std::string& agent_id, const Revocation& revocation) {
  return "the CEM certificate of agent " + agent_id + " was revoked at " +
         FormatTime(revocation.revoked_at) + " (reason " + std::to_string(revocation.reason) + " " +
         std::string(CrlReasonName(revocation.reason)) + "); a revoked agent cannot get in";
}

std::string FutureReason(const IngestAgentReport& c) {
  return "the report is dated " + FormatTime(c.report.reported_at) + ", more than " +
         DurationText(c.max_clock_skew) + " ahead of the server's clock (" + FormatTime(c.now) +
         "); check the agent's clock";
}

// Why the report is rejected (recorded as AgentReportRejected); empty when it is not.
std::string RejectionReason(const IngestAgentReport& c, const AgentState* agent,
                            const DomainState& state) {
  if (agent != nullptr && agent->revoked) {
    const Revocation* revocation = state.RevocationOf(*agent);
    return RevokedReason(c.report.agent_id, revocation != nullptr ? *revocation : Revocation{});
  }
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
  if (agent != nullptr && IsRepeat(r, *agent, state)) return d;
  std::string rejection = RejectionReason(c, agent, state);
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
