#include "events/event_types.h"

#include <array>

namespace rotor {
namespace {

constexpr std::array<std::string_view, 5> kKindNames = {"unspecified", "server-web", "cem-root",
                                                        "cem-agent", "gateway-reporting"};

// Indexed by Event::index(); must follow the variant's order.
constexpr std::array<std::string_view, std::variant_size_v<Event>> kEventTypeNames = {
    "rotor.v1.CertificateRegistered",  "rotor.v1.ReplacementInitiated",
    "rotor.v1.CertificateStaged",      "rotor.v1.BindingsSwitched",
    "rotor.v1.ReplacementCancelled",   "rotor.v1.ReplacementFinalized",
    "rotor.v1.RenewalInitiated",       "rotor.v1.AgentCertificateRenewed",
    "rotor.v1.CertificateRevoked",     "rotor.v1.GatewayAutoRefreshChanged",
    "rotor.v1.GatewayRefreshRequired", "rotor.v1.GatewayRefreshPerformed",
    "rotor.v1.AgentInventoryReported", "rotor.v1.AgentReportRejected",
    "rotor.v1.AgentFlaggedStale",      "rotor.v1.AgentStaleCleared",
    "rotor.v1.AgentResourceDeleted",   "rotor.v1.CommandRefused"};

}  // namespace

std::string_view CertificateKindName(CertificateKind kind) {
  auto i = static_cast<size_t>(kind);
  return i < kKindNames.size() ? kKindNames[i] : "unspecified";
}

CertificateKind CertificateKindFromName(std::string_view name) {
  for (size_t i = 1; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<CertificateKind>(i);
  }
  return CertificateKind::kUnspecified;
}

std::string_view ReplacementModeName(ReplacementMode mode) {
  switch (mode) {
    case ReplacementMode::kDirect:
      return "direct";
    case ReplacementMode::kPreStaged:
      return "pre-staged";
    default:
      return "unspecified";
  }
}

std::string_view GatewayRefreshStepName(GatewayRefreshStep step) {
  switch (step) {
    case GatewayRefreshStep::kAfterInitiate:
      return "after-initiate";
    case GatewayRefreshStep::kAfterFinalize:
      return "after-finalize";
    default:
      return "unspecified";
  }
}

std::string_view RenewalTargetName(RenewalTarget target) {
  switch (target) {
    case RenewalTarget::kCemAgentCertificates:
      return "cem-agent-certificates";
    case RenewalTarget::kGatewayReportingCertificate:
      return "gateway-reporting-certificate";
    default:
      return "unspecified";
  }
}

std::string_view EventTypeName(const Event& event) { return kEventTypeNames[event.index()]; }

int EventIndexFromTypeName(std::string_view type_name) {
  for (size_t i = 0; i < kEventTypeNames.size(); ++i) {
    if (kEventTypeNames[i] == type_name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace rotor
