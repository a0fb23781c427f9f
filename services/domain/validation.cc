#include "services/domain/validation.h"

#include <algorithm>

#include "base/hash.h"

namespace rotor::domain {

namespace {

// Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or code
// points above U+10FFFF. Events carry ids in protobuf strings, which must be
// UTF-8 or no reader can parse the event back.
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = b(0);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((b(k) & 0xc0) != 0x80) return false;
    }
    if ((n == 2 && c < 0xc2) || (n == 3 && c == 0xe0 && b(1) < 0xa0) ||
        (n == 3 && c == 0xed && b(1) >= 0xa0) || (n == 4 && c == 0xf0 && b(1) < 0x90) ||
        (n == 4 && (c > 0xf4 || (c == 0xf4 && b(1) >= 0x90)))) {
      return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

Status CheckId(std::string_view what, std::string_view value) {
  if (value.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (value.size() > kMaxIdLength) {
    return Status::InvalidArgument(std::string(what) + " is longer than " +
                                   std::to_string(kMaxIdLength) + " bytes");
  }
  // The value is not quoted back: it could not be shown as text.
  if (!IsUtf8(value)) return Status::InvalidArgument(std::string(what) + " is not valid UTF-8");
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(std::string(what) + " '" + std::string(value) +
                                     "' holds a control character");
    }
  }
  return Status::Ok();
}

Status CheckActor(std::string_view actor) {
  if (actor.empty()) {
    return Status::InvalidArgument("actor is empty; every change must name who made it");
  }
  return Status::Ok();
}

Status CheckFingerprint(std::string_view what, std::string_view value) {
  if (IsSha256Hex(value)) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + " '" + std::string(value) +
                                 "' is not a SHA-256 fingerprint (64 lower-case hex digits)");
}

Result<const RolloutState*> LookupRollout(const DomainState& state, std::string_view rollout_id) {
  const RolloutState* rollout = state.FindRollout(rollout_id);
  if (rollout == nullptr) {
    return Status::NotFound("rollout " + std::string(rollout_id) + " does not exist");
  }
  return rollout;
}

Result<const RolloutState*> LookupReplacement(const DomainState& state,
                                              std::string_view rollout_id) {
  Result<const RolloutState*> rollout = LookupRollout(state, rollout_id);
  if (rollout.ok() && (*rollout)->type != RolloutKind::kReplacement) {
    return Status::FailedPrecondition("rollout " + std::string(rollout_id) +
                                      " is a renewal, not a replacement");
  }
  return rollout;
}

Result<const AgentState*> LookupAgent(const DomainState& state, std::string_view agent_id) {
  const AgentState* agent = state.FindAgent(agent_id);
  if (agent == nullptr) {
    return Status::NotFound("agent " + std::string(agent_id) +
                            " is unknown: it has never reported and holds no registered "
                            "certificate");
  }
  return agent;
}

std::string_view PhaseName(RolloutPhase phase) {
  switch (phase) {
    case RolloutPhase::kActive:
      return "active";
    case RolloutPhase::kFinalized:
      return "finalized";
    case RolloutPhase::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::vector<std::string> ManualRefreshGateways(const DomainState& state) {
  std::vector<std::string> out;
  for (const auto& [id, gateway] : state.gateways) {
    if (!gateway.auto_refresh) out.push_back(id);
  }
  return out;
}

std::string DurationText(Micros d) {
  constexpr int64_t kSecond = 1000000;
  constexpr int64_t kHour = 3600 * kSecond;
  constexpr int64_t kDay = 24 * kHour;
  int64_t us = d.count();
  if (us != 0 && us % kDay == 0) return std::to_string(us / kDay) + " days";
  if (us != 0 && us % kHour == 0) return std::to_string(us / kHour) + " hours";
  if (us % kSecond == 0) return std::to_string(us / kSecond) + " seconds";
  return std::to_string(us) + " microseconds";
}

std::string_view CrlReasonName(uint32_t reason_code) {
  static constexpr std::string_view kNames[] = {
      "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
      "superseded",    "cessationOfOperation", "certificateHold", "",
      "removeFromCRL", "privilegeWithdrawn",   "aACompromise"};
  return reason_code < std::size(kNames) ? kNames[reason_code] : std::string_view();
}

std::string JoinLimited(const std::vector<std::string>& items, size_t max, size_t total) {
  total = std::max(total, items.size());
  std::string out;
  for (size_t i = 0; i < items.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  size_t shown = std::min(items.size(), max);
  if (total > shown) out += " and " + std::to_string(total - shown) + " more";
  return out;
}

}  // namespace rotor::domain
