#include "projections/views.h"

namespace rotor::projections {

std::string_view RolloutStatusName(RolloutStatus status) {
  switch (status) {
    case RolloutStatus::kInitiated:
      return "initiated";
    case RolloutStatus::kStaged:
      return "staged";
    case RolloutStatus::kDistributing:
      return "distributing";
    case RolloutStatus::kReadyToFinalize:
      return "ready to finalize";
    case RolloutStatus::kFinalized:
      return "finalized";
    case RolloutStatus::kFinalizedRefreshPending:
      return "finalized, gateway refresh pending";
    case RolloutStatus::kCancelled:
      return "cancelled";
    case RolloutStatus::kCompleted:
      return "completed";
  }
  return "unknown";
}

std::string_view RolloutKindName(RolloutKind kind) {
  return kind == RolloutKind::kRenewal ? "renewal" : "replacement";
}

}  // namespace rotor::projections
