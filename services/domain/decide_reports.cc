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

// True when the report must not change the inventory: a repeat, or not newer
// than the latest report (pipelines deliver out of order).
bool IsRepeatOrOutdated(const AgentReport& r, const AgentState& agent) {
  return IsRepeat(r, agent) || (agent.has_report && r.reported_at <= agent.last_report_at);
}

std::string RevokedReason(const std::string& agent_id, const AgentState& agent) {
  return "the CEM certificate of agent " + agent_id + " was revoked at " +
         FormatTime(agent.revoked_at) + " (reason " + std::to_string(agent.revoke_reason) + " " +
         std::string(CrlReasonName(agent.revoke_reason)) + "); a revoked agent cannot get in";
}

}  // namespace

Result<Decision> Decide(const IngestAgentReport& c, const DomainState& state) {
  const AgentReport& r = c.report;
  ROTOR_RETURN_IF_ERROR(CheckReport(r));
  ROTOR_RETURN_IF_ERROR(CheckActor(c.actor));
  Decision d(c.actor, c.now);
  const AgentState* agent = state.FindAgent(r.agent_id);
  if (agent != nullptr && agent->revoked) {
    if (!IsRepeat(r, *agent)) {
      d.Add(AgentReportRejected{r.report_id, r.agent_id, r.reported_at,
                                RevokedReason(r.agent_id, *agent)});
    }
  } else if (agent == nullptr || !IsRepeatOrOutdated(r, *agent)) {
    d.Add(AgentInventoryReported{r.report_id, r.agent_id, r.reported_at, r.certificate_fingerprints,
                                 r.gateway_id, r.site, r.cloud_enabled});
    if (agent != nullptr && agent->stale) {
      d.Add(AgentStaleCleared{r.agent_id, r.report_id, r.reported_at});
    }
  }
  if (!d.IsEmpty()) d.SetIdempotencyKey(AgentStream(r.agent_id), ReportIdempotencyKey(r.report_id));
  return d;
}

}  // namespace rotor::domain
