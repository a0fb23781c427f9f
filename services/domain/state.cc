#include "services/domain/state.h"

#include <algorithm>

namespace rotor::domain {

FingerprintId FingerprintTable::Intern(std::string_view fingerprint) {
  auto [it, inserted] =
      ids_.try_emplace(std::string(fingerprint), static_cast<FingerprintId>(texts_.size()));
  if (inserted) texts_.emplace_back(fingerprint);
  return it->second;
}

FingerprintId FingerprintTable::Find(std::string_view fingerprint) const {
  auto it = ids_.find(std::string(fingerprint));
  return it == ids_.end() ? kNoFingerprint : it->second;
}

bool RolloutState::HasPendingStep(GatewayRefreshStep step) const {
  if (phase == RolloutPhase::kCancelled) return false;
  return std::any_of(gateway_steps.begin(), gateway_steps.end(),
                     [&](const GatewayStep& s) { return s.step == step && !s.performed; });
}

std::vector<std::string> RolloutState::PendingGateways(GatewayRefreshStep step) const {
  std::vector<std::string> out;
  if (phase == RolloutPhase::kCancelled) return out;
  for (const GatewayStep& s : gateway_steps) {
    if (s.step == step && !s.performed) out.push_back(s.gateway_id);
  }
  return out;
}

bool AgentState::Holds(FingerprintId id) const {
  return id != kNoFingerprint && std::binary_search(inventory.begin(), inventory.end(), id);
}

FingerprintId AgentState::RenewedIn(std::string_view rollout_id) const {
  for (const auto& [rollout, fingerprint] : renewals) {
    if (rollout == rollout_id) return fingerprint;
  }
  return kNoFingerprint;
}

uint64_t DomainState::StreamVersion(std::string_view stream_id) const {
  auto it = stream_versions.find(std::string(stream_id));
  return it == stream_versions.end() ? 0 : it->second;
}

namespace {
template <typename Map>
const typename Map::mapped_type* FindIn(const Map& map, std::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}
}  // namespace

const CertificateState* DomainState::FindCertificate(std::string_view fingerprint) const {
  return FindIn(certificates, fingerprint);
}
const RolloutState* DomainState::FindRollout(std::string_view rollout_id) const {
  return FindIn(rollouts, rollout_id);
}
const AgentState* DomainState::FindAgent(std::string_view agent_id) const {
  return FindIn(agents, agent_id);
}
const GatewayState* DomainState::FindGateway(std::string_view gateway_id) const {
  return FindIn(gateways, gateway_id);
}

}  // namespace rotor::domain
