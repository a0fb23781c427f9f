#include "services/domain/streams.h"

#include <type_traits>

namespace rotor::domain {

std::string CertificateStream(std::string_view fingerprint) {
  return "certificate-" + std::string(fingerprint);
}
std::string RolloutStream(std::string_view rollout_id) {
  return "rollout-" + std::string(rollout_id);
}
std::string AgentStream(std::string_view agent_id) { return "agent-" + std::string(agent_id); }

std::optional<std::string_view> AgentOfStream(std::string_view stream_id) {
  constexpr std::string_view kPrefix = "agent-";
  if (!stream_id.starts_with(kPrefix)) return std::nullopt;
  return stream_id.substr(kPrefix.size());
}
std::string GatewayStream(std::string_view gateway_id) {
  return "gateway-" + std::string(gateway_id);
}

std::string StreamFor(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, CertificateRegistered>) {
          return CertificateStream(e.fingerprint);
        } else if constexpr (std::is_same_v<T, CommandRefused>) {
          return e.rollout_id.empty() ? AgentStream(e.agent_id) : RolloutStream(e.rollout_id);
        } else if constexpr (std::is_same_v<T, GatewayAutoRefreshChanged>) {
          return GatewayStream(e.gateway_id);
        } else if constexpr (requires { e.rollout_id; } &&
                             !std::is_same_v<T, AgentCertificateRenewed>) {
          return RolloutStream(e.rollout_id);
        } else {
          return AgentStream(e.agent_id);
        }
      },
      event);
}

std::string ReportIdempotencyKey(std::string_view report_id) {
  return "report:" + std::string(report_id);
}

std::string ReplacementClaimKey(std::string_view old_fingerprint, uint32_t ordinal) {
  return "replacement:" + std::string(old_fingerprint) + ":" + std::to_string(ordinal);
}

}  // namespace rotor::domain
