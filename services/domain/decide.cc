#include "services/domain/decide.h"

#include <array>

namespace rotor::domain {

Result<Decision> Decide(const Command& command, const DomainState& state) {
  return std::visit([&](const auto& c) { return Decide(c, state); }, command);
}

std::string_view CommandName(const Command& command) {
  static constexpr std::array<std::string_view, std::variant_size_v<Command>> kNames = {
      "RegisterCertificate",
      "IngestAgentReport",
      "InitiateReplacement",
      "StageCertificate",
      "SwitchBindings",
      "FinalizeReplacement",
      "CancelReplacement",
      "SetGatewayAutoRefresh",
      "RefreshGateway",
      "RenewCemAgentCertificates",
      "RenewGatewayReportingCertificate",
      "RecordRenewedCertificate",
      "RevokeAgentCertificate",
      "FlagStaleAgents",
      "DeleteAgentResource"};
  return kNames[command.index()];
}

}  // namespace rotor::domain
