// FleetQueries::Dump: the canonical text of the fleet state, used to compare
// projections (incremental, rebuilt, as-of, loaded from the store).
#include <algorithm>

#include "projections/fleet_queries.h"

namespace rotor::projections {
namespace {

void AppendRows(std::string* out, std::string_view label, const std::vector<BreakdownRow>& rows) {
  for (const BreakdownRow& r : rows) {
    *out += "  " + std::string(label) + " '" + r.key + "' " + std::to_string(r.total) + "/" +
            std::to_string(r.received) + "/" + std::to_string(r.outstanding) + "/" +
            std::to_string(r.stale) + "\n";
  }
}

void AppendProgress(std::string* out, const RolloutProgress& p) {
  *out += "rollout " + p.rollout_id + " " + std::string(RolloutKindName(p.kind)) + " [" +
          std::string(RolloutStatusName(p.status)) + "] " + p.summary + "\n";
  *out += "  old=" + p.old_fingerprint + " new=" + p.new_fingerprint + " gw=" + p.gateway_id +
          " kind=" + std::to_string(static_cast<int>(p.certificate_kind)) +
          " mode=" + std::to_string(static_cast<int>(p.mode)) +
          " target=" + std::to_string(static_cast<int>(p.renewal_target)) +
          " staged=" + std::to_string(p.staged) +
          " switched=" + std::to_string(p.bindings_switched) +
          " permille=" + std::to_string(p.required_staged_permille) +
          " forced=" + std::to_string(p.forced) + "\n";
  *out += "  total=" + std::to_string(p.total) + " received=" + std::to_string(p.received) +
          " outstanding=" + std::to_string(p.outstanding) + " stale=" + std::to_string(p.stale) +
          " stale_outstanding=" + std::to_string(p.stale_outstanding) +
          " revoked=" + std::to_string(p.revoked) +
          " not_counted=" + std::to_string(p.not_counted) +
          " last_hour=" + std::to_string(p.received_last_hour) +
          " eta=" + (p.eta_seconds ? std::to_string(*p.eta_seconds) : "-") +
          " initiated=" + std::to_string(ToMicros(p.initiated_at)) +
          " ended=" + (p.ended_at ? std::to_string(ToMicros(*p.ended_at)) : "-") + "\n";
  for (const PendingGatewayStep& s : p.pending_gateway_steps) {
    *out += "  pending " + s.gateway_id + " " + std::string(GatewayRefreshStepName(s.step)) + "\n";
  }
  AppendRows(out, "gateway", p.by_gateway);
  AppendRows(out, "site", p.by_site);
}

}  // namespace

std::string FleetQueries::Dump(uint64_t last_sequence) const {
  std::string out = "fleet seq=" + std::to_string(last_sequence) +
                    " as_of=" + std::to_string(now_micros_) +
                    " agents=" + std::to_string(model_.agent_count()) +
                    " live=" + std::to_string(model_.live_agents()) + "\n";
  for (uint32_t r = 0; r < rollouts_.size(); ++r) {
    AppendProgress(&out, MakeProgress(rollouts_[r], true));
  }
  for (uint32_t a = 0; a < model_.agent_count(); ++a) {
    AgentView v = MakeAgentView(a);
    out += "agent " + v.agent_id + " gw=" + v.gateway_id + " site=" + v.site +
           " last=" + (v.last_report_at ? std::to_string(ToMicros(*v.last_report_at)) : "-") +
           " cloud=" + std::to_string(v.cloud_enabled) + " stale=" + std::to_string(v.stale) +
           " revoked=" + std::to_string(v.revoked) + " deleted=" + std::to_string(v.deleted) +
           " certs=";
    for (const std::string& c : v.certificates) out += c.substr(0, 12) + ",";
    out += "\n";
  }
  for (const StaleAgent& s : StaleAgents()) {
    out += "stale " + s.agent_id + " last=" + std::to_string(ToMicros(s.last_report_at)) +
           " flagged=" + std::to_string(ToMicros(s.flagged_at)) + " holds_up=";
    for (const std::string& r : s.holds_up) out += r + ",";
    out += "\n";
  }
  std::vector<std::string> certs;
  for (const auto& [f, cert] : model_.certificates()) {
    CertificateView v = MakeCertView(f, cert);
    certs.push_back("cert " + v.fingerprint.substr(0, 12) +
                    " kind=" + std::to_string(static_cast<int>(v.kind)) + " subject=" + v.subject +
                    " serial=" + v.serial_hex +
                    " not_after=" + std::to_string(ToMicros(v.not_after)) + " agent=" + v.agent_id +
                    " holders=" + std::to_string(v.holders) +
                    " revoked=" + std::to_string(v.revoked) +
                    " registered=" + std::to_string(cert.registered) + "\n");
  }
  std::sort(certs.begin(), certs.end());
  for (const std::string& c : certs) out += c;
  return out;
}

}  // namespace rotor::projections
