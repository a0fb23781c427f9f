#include "services/app/json_views.h"

#include <memory>

#include "base/base64.h"
#include "base/hash.h"
#include "events/payload_json.h"

namespace rotor::app {
namespace {

using nlohmann::json;

json Breakdown(const std::vector<projections::BreakdownRow>& rows) {
  json out = json::array();
  for (const projections::BreakdownRow& row : rows) {
    out.push_back({{"key", row.key},
                   {"total", row.total},
                   {"received", row.received},
                   {"outstanding", row.outstanding},
                   {"stale", row.stale}});
  }
  return out;
}

json OptionalTime(const std::optional<Time>& t) { return t ? json(FormatTime(*t)) : json(nullptr); }

// The payload in protobuf's JSON mapping; nullopt when it does not decode.
std::optional<json> PayloadJson(const RecordedEvent& event) {
  Result<std::string> text = PayloadToJson(event.event_type, event.payload);
  if (!text.ok()) return std::nullopt;
  json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

}  // namespace

json ToJson(const projections::RolloutProgress& p) {
  json steps = json::array();
  for (const projections::PendingGatewayStep& s : p.pending_gateway_steps) {
    steps.push_back({{"gateway_id", s.gateway_id}, {"step", GatewayRefreshStepName(s.step)}});
  }
  json out = {
      {"rollout_id", p.rollout_id},
      {"kind", projections::RolloutKindName(p.kind)},
      {"state", projections::RolloutStatusName(p.status)},
      {"certificate_kind", CertificateKindName(p.certificate_kind)},
      {"mode", ReplacementModeName(p.mode)},
      {"renewal_target", RenewalTargetName(p.renewal_target)},
      {"old_fingerprint", p.old_fingerprint},
      {"new_fingerprint", p.new_fingerprint},
      {"gateway_id", p.gateway_id},
      {"staged", p.staged},
      {"bindings_switched", p.bindings_switched},
      {"required_staged_permille", p.required_staged_permille},
      {"forced", p.forced},
      {"total", p.total},
      {"received", p.received},
      {"outstanding", p.outstanding},
      {"stale", p.stale},
      {"stale_outstanding", p.stale_outstanding},
      {"revoked", p.revoked},
      {"not_counted", p.not_counted},
      {"pending_gateway_steps", std::move(steps)},
      {"by_gateway", Breakdown(p.by_gateway)},
      {"by_site", Breakdown(p.by_site)},
      {"received_last_hour", p.received_last_hour},
      {"rate_per_hour", p.received_last_hour},
      {"eta_seconds", p.eta_seconds ? json(*p.eta_seconds) : json(nullptr)},
      {"initiated_at", FormatTime(p.initiated_at)},
      {"ended_at", OptionalTime(p.ended_at)},
      {"as_of", FormatTime(p.as_of)},
      {"summary", p.summary},
  };
  return out;
}

json ToJson(const projections::StaleAgent& a) {
  return {{"agent_id", a.agent_id},
          {"last_report_at", FormatTime(a.last_report_at)},
          {"flagged_at", FormatTime(a.flagged_at)},
          {"gateway_id", a.gateway_id},
          {"site", a.site},
          {"holds_up", a.holds_up}};
}

json ToJson(const projections::AgentView& a) {
  return {{"agent_id", a.agent_id},
          {"certificates", a.certificates},
          {"last_report_at", OptionalTime(a.last_report_at)},
          {"gateway_id", a.gateway_id},
          {"site", a.site},
          {"cloud_enabled", a.cloud_enabled},
          {"stale", a.stale},
          {"revoked", a.revoked},
          {"deleted", a.deleted}};
}

json ToJson(const projections::CertificateView& c) {
  return {{"fingerprint", c.fingerprint},
          {"kind", CertificateKindName(c.kind)},
          {"subject", c.subject},
          {"issuer", c.issuer},
          {"serial_hex", c.serial_hex},
          {"not_before", FormatTime(c.not_before)},
          {"not_after", FormatTime(c.not_after)},
          {"agent_id", c.agent_id},
          {"holders", c.holders},
          {"revoked", c.revoked}};
}

json ToJson(const projections::AuditEntry& e) {
  return {{"sequence", e.sequence},
          {"recorded_at", FormatTime(e.recorded_at)},
          {"actor", e.actor},
          {"action", e.action},
          {"detail", e.detail}};
}

json EventToJson(const RecordedEvent& e) {
  json out = {{"sequence", e.sequence},
              {"stream_id", e.stream_id},
              {"stream_version", e.stream_version},
              {"event_type", e.event_type},
              {"recorded_at", FormatTime(e.recorded_at)},
              {"actor", e.actor},
              {"correlation_id", e.correlation_id},
              {"causation_id", e.causation_id},
              {"idempotency_key", e.idempotency_key},
              {"prev_hash", ToHex(e.prev_hash)},
              {"hash", ToHex(e.hash)}};
  out["payload_base64"] = Base64Encode(e.payload);
  std::optional<json> payload = PayloadJson(e);
  if (payload.has_value()) {
    out["payload"] = std::move(*payload);
  } else {
    out["payload"] = {{"undecodable_base64", Base64Encode(e.payload)}};
  }
  return out;
}

}  // namespace rotor::app
