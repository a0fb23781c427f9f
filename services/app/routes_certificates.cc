// Routes for certificates: registration, renewals, renewed agent
// certificates (issued elsewhere or signed here from a CSR), revocation and
// the CA's CRL. See docs/api.md.
#include <spdlog/spdlog.h>

#include "base/base64.h"
#include "services/app/engine_core.h"
#include "services/app/json_body.h"
#include "services/app/json_views.h"
#include "services/ca/serial.h"
#include "services/domain/progress.h"
#include "services/pki/certificate_parser.h"

namespace rotor::app {
namespace {

using nlohmann::json;

// The certificate bytes of a body with "pem" or "der_base64" (exactly one).
std::string CertificateBytes(JsonBody& body, bool der_allowed) {
  std::optional<std::string> pem = body.String("pem");
  std::optional<std::string> der64;
  if (der_allowed) der64 = body.String("der_base64");
  if (pem.has_value() == der64.has_value()) {
    body.Fail(der_allowed ? "give the certificate as exactly one of 'pem' and 'der_base64'"
                          : "missing field 'pem'");
    return "";
  }
  if (pem.has_value()) return *pem;
  Result<std::string> der = Base64Decode(*der64, "field 'der_base64'");
  if (!der.ok()) {
    body.Fail(der.status().message());
    return "";
  }
  return *der;
}

ApiResponse RegisterCertificate(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string kind_text = body->RequiredString("kind");
  std::string bytes = CertificateBytes(*body, true);
  std::optional<std::string> agent_id = body->String("agent_id");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  CertificateKind kind = CertificateKindFromName(kind_text);
  if (kind == CertificateKind::kUnspecified) {
    return ErrorResponse(Status::InvalidArgument(
        "field 'kind' must be server-web, cem-root, cem-agent or gateway-reporting, got '" +
        kind_text + "'"));
  }
  Result<CertificateInfo> info = pki::ParseCertificate(bytes);
  if (!info.ok()) return ErrorResponse(info.status().WithContext("certificate"));
  domain::RegisterCertificate command;
  command.certificate = *info;
  command.kind = kind;
  command.agent_id = agent_id.value_or("");
  command.actor = ctx.request.principal.name;
  command.now = core.Now();
  return CommandResponse(core, core.Execute(command), {{"fingerprint", info->fingerprint}});
}

ApiResponse StartRenewal(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string rollout_id = body->String("rollout_id").value_or(NewRolloutId());
  std::string target = body->RequiredString("target");
  std::string actor = ctx.request.principal.name;
  Time now = core.Now();
  domain::Command command;
  if (target == "cem-agent-certificates") {
    std::vector<std::string> agents =
        body->StringArray("agent_ids").value_or(std::vector<std::string>{});
    body->Forbid("gateway_id", "with target cem-agent-certificates");
    body->Forbid("fingerprint", "with target cem-agent-certificates");
    command = domain::RenewCemAgentCertificates{rollout_id, std::move(agents), actor, now};
  } else if (target == "gateway-reporting-certificate") {
    std::string gateway = body->RequiredString("gateway_id");
    std::string fingerprint = body->String("fingerprint").value_or("");
    body->Forbid("agent_ids", "with target gateway-reporting-certificate");
    command =
        domain::RenewGatewayReportingCertificate{rollout_id, gateway, fingerprint, actor, now};
  } else {
    body->Forbid("agent_ids", "without a valid target");
    body->Forbid("gateway_id", "without a valid target");
    body->Forbid("fingerprint", "without a valid target");
    if (!target.empty()) {
      body->Fail(
          "field 'target' must be cem-agent-certificates or gateway-reporting-certificate, "
          "got '" +
          target + "'");
    }
  }
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  return CommandResponse(core, core.Execute(command), {{"rollout_id", rollout_id}});
}

// The agent's current CEM certificate, and the active CEM renewal rollout
// that targets it (the latest initiated) when `rollout_id` is empty.
Status FindRenewal(EngineCore& core, const std::string& agent_id, std::string& rollout_id,
                   std::string& old_fingerprint) {
  bool known = false;
  ROTOR_RETURN_IF_ERROR(core.commands->Read([&](const domain::DomainState& state) {
    const domain::AgentState* agent = state.FindAgent(agent_id);
    if (agent == nullptr) return;
    known = true;
    old_fingerprint = state.CemFingerprintOf(*agent);
    if (!rollout_id.empty()) return;
    Time latest{};
    for (const auto& [id, r] : state.rollouts) {
      if (r.type != RolloutKind::kRenewal || r.target != RenewalTarget::kCemAgentCertificates ||
          !domain::IsActive(state, r) || !domain::IsCounted(state, r, *agent)) {
        continue;
      }
      if (rollout_id.empty() || r.initiated_at > latest) {
        rollout_id = id;
        latest = r.initiated_at;
      }
    }
  }));
  if (!known) return Status::NotFound("agent " + agent_id + " is unknown");
  if (rollout_id.empty()) {
    return Status::FailedPrecondition("agent " + agent_id +
                                      " is not a target of any active CEM agent certificate "
                                      "renewal; start one with POST /v1/renewals");
  }
  return Status::Ok();
}

ApiResponse RecordRenewed(EngineCore& core, const RouteContext& ctx) {
  const std::string& agent_id = ctx.params[0];
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string rollout_id = body->RequiredString("rollout_id");
  std::string bytes = CertificateBytes(*body, true);
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  Result<CertificateInfo> info = pki::ParseCertificate(bytes);
  if (!info.ok()) return ErrorResponse(info.status().WithContext("certificate"));
  std::string old_fingerprint;
  ROTOR_RETURN_IF_ERROR_RESPONSE(FindRenewal(core, agent_id, rollout_id, old_fingerprint));
  if (old_fingerprint == info->fingerprint) old_fingerprint.clear();
  domain::RecordRenewedCertificate command{
      rollout_id,      agent_id, old_fingerprint, info->fingerprint,          info->serial_hex,
      info->not_after, false,    info->der,       ctx.request.principal.name, core.Now()};
  return CommandResponse(core, core.Execute(command),
                         {{"rollout_id", rollout_id}, {"fingerprint", info->fingerprint}});
}

ApiResponse SignCsr(EngineCore& core, const RouteContext& ctx) {
  const std::string& agent_id = ctx.params[0];
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  std::string rollout_id = body->String("rollout_id").value_or("");
  std::string csr = body->RequiredString("csr_pem");
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  if (core.ca == nullptr) {
    return ErrorResponse(Status::FailedPrecondition(
        "no CEM issuing CA is configured (rotord --ca-cert/--ca-key); record certificates issued "
        "elsewhere with POST /v1/agents/{id}/renewed-certificate"));
  }
  std::string old_fingerprint;
  ROTOR_RETURN_IF_ERROR_RESPONSE(FindRenewal(core, agent_id, rollout_id, old_fingerprint));
  Result<std::string> serial = ca::RandomSerialHex();
  if (!serial.ok()) return ErrorResponse(serial.status());
  ca::IssueOptions issue;
  issue.agent_id = agent_id;
  issue.now = core.Now();
  issue.not_before = issue.now;
  issue.validity = core.options.issued_validity;
  issue.serial_hex = *serial;
  issue.crl_url = core.options.crl_url;
  issue.ocsp_url = core.options.ocsp_url;
  issue.ca_issuers_url = core.options.ca_issuers_url;
  Result<ca::IssuedCertificate> issued = core.ca->SignCsr(csr, issue);
  if (!issued.ok()) return ErrorResponse(issued.status().WithContext("field 'csr_pem'"));
  domain::RecordRenewedCertificate command{
      rollout_id,        agent_id, old_fingerprint, issued->fingerprint,        issued->serial_hex,
      issued->not_after, true,     issued->der,     ctx.request.principal.name, issue.now};
  json extra = {{"rollout_id", rollout_id},
                {"certificate_pem", issued->pem},
                {"fingerprint", issued->fingerprint},
                {"serial_hex", issued->serial_hex},
                {"not_before", FormatTime(issued->not_before)},
                {"not_after", FormatTime(issued->not_after)},
                {"issuer_certificate_pem", core.ca->certificate_pem()}};
  return CommandResponse(core, core.Execute(command), std::move(extra));
}

ApiResponse Revoke(EngineCore& core, const RouteContext& ctx) {
  Result<JsonBody> body = JsonBody::Parse(ctx.request.body);
  if (!body.ok()) return ErrorResponse(body.status());
  int64_t reason = body->Int("reason_code", 0, 10).value_or(0);
  ROTOR_RETURN_IF_ERROR_RESPONSE(body->Finish());
  domain::RevokeAgentCertificate command{ctx.params[0], static_cast<uint32_t>(reason),
                                         ctx.request.principal.name, core.Now()};
  return CommandResponse(core, core.Execute(command), {{"agent_id", ctx.params[0]}});
}

ApiResponse GetCrl(EngineCore& core, const RouteContext& ctx) {
  auto format = ctx.request.query.find("format");
  std::string wanted = format == ctx.request.query.end() ? "der" : format->second;
  if (wanted != "der" && wanted != "pem") {
    return ErrorResponse(Status::InvalidArgument(
        "query parameter 'format' must be der or pem, got '" + wanted + "'"));
  }
  if (core.crl == nullptr) {
    return ErrorResponse(Status::FailedPrecondition(
        "no CEM issuing CA is configured (rotord --ca-cert/--ca-key), so there is no CRL"));
  }
  Result<SignedCrl> crl = core.crl->Get(core.Now());
  if (!crl.ok()) return ErrorResponse(crl.status());
  ApiResponse response;
  if (wanted == "pem") {
    response.content_type = "application/x-pem-file";
    response.body = crl->crl.pem;
  } else {
    response.content_type = "application/pkix-crl";
    response.body = crl->crl.der;
  }
  return response;
}

}  // namespace

void AddCertificateRoutes(EngineCore& core) {
  EngineCore* c = &core;
  Router& r = core.router;
  r.Add("POST", "/v1/certificates", kOperator, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return RegisterCertificate(*c, ctx); });
  r.Add("POST", "/v1/renewals", kOperator, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return StartRenewal(*c, ctx); });
  r.Add("POST", "/v1/agents/{id}/renewed-certificate", kOperator, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return RecordRenewed(*c, ctx); });
  r.Add("POST", "/v1/agents/{id}/csr", kOperator | kAgent, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return SignCsr(*c, ctx); });
  r.Add("POST", "/v1/agents/{id}/revoke", kOperator, RouteKind::kCommand,
        [c](const RouteContext& ctx) { return Revoke(*c, ctx); });
  r.Add("GET", "/v1/crl", kReaders | kAgent, RouteKind::kQuery,
        [c](const RouteContext& ctx) { return GetCrl(*c, ctx); });
}

}  // namespace rotor::app
