#include "services/app/api.h"

#include <nlohmann/json.hpp>

namespace rotor::app {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kOperator:
      return "operator";
    case Role::kAuditor:
      return "auditor";
    case Role::kAgent:
      return "agent";
    case Role::kIngest:
      return "ingest";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view text) {
  for (Role role : {Role::kAdmin, Role::kOperator, Role::kAuditor, Role::kAgent, Role::kIngest}) {
    if (RoleName(role) == text) return role;
  }
  return Status::InvalidArgument("unknown role '" + std::string(text) +
                                 "'; expected admin, operator, auditor, agent or ingest");
}

Status CheckSpeaksFor(const Principal& principal, std::string_view agent_id) {
  if (principal.role != Role::kAgent || principal.agent_id == agent_id) return Status::Ok();
  if (principal.agent_id.empty()) {
    return Status::PermissionDenied("agent principal '" + principal.name +
                                    "' is bound to no agent and may not speak for agent " +
                                    std::string(agent_id));
  }
  return Status::PermissionDenied("agent principal '" + principal.name + "' speaks for agent " +
                                  principal.agent_id + " only, not for agent " +
                                  std::string(agent_id));
}

std::string_view DenialName(Denial denial) {
  switch (denial) {
    case Denial::kMissingCredential:
      return "missing_credential";
    case Denial::kUnknownToken:
      return "unknown_token";
    case Denial::kBadClientCertificate:
      return "bad_client_certificate";
    case Denial::kRevokedClientCertificate:
      return "revoked_client_certificate";
    case Denial::kRole:
      return "role";
    case Denial::kOtherAgent:
      return "other_agent";
  }
  return "role";
}

int DenialStatus(Denial denial) {
  switch (denial) {
    case Denial::kMissingCredential:
    case Denial::kUnknownToken:
    case Denial::kBadClientCertificate:
    case Denial::kRevokedClientCertificate:
      return 401;
    case Denial::kRole:
    case Denial::kOtherAgent:
      return 403;
  }
  return 403;
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 412;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kCancelled:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kCorruption:
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

ApiResponse ErrorResponse(const Status& status) {
  ApiResponse response;
  StatusCode code = status.ok() ? StatusCode::kInternal : status.code();
  response.status = HttpStatusFor(code);
  nlohmann::json body = {
      {"error",
       {{"code", std::string(StatusCodeName(code))},
        {"message", status.ok() ? std::string("an error without a status") : status.message()}}}};
  // Replace invalid UTF-8 (a message may quote bad input) instead of throwing.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace rotor::app
