#include "services/domain/state.h"

#include <algorithm>

#include "services/domain/streams.h"

namespace rotor::domain {

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

bool RolloutState::IsOutstanding(uint32_t index) const {
  size_t word = index / 64;
  return word < outstanding.size() && ((outstanding[word] >> (index % 64)) & 1) != 0;
}

uint64_t DomainState::StreamVersion(std::string_view stream_id) const {
  if (std::optional<std::string_view> agent_id = AgentOfStream(stream_id)) {
    uint32_t index = agent_ids.Find(*agent_id);
    return index == StringInterner::kNotFound ? 0 : agents[index].stream_version;
  }
  auto it = stream_versions.find(stream_id);
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
  uint32_t index = agent_ids.Find(agent_id);
  if (index == StringInterner::kNotFound || !agents[index].known) return nullptr;
  return &agents[index];
}
const GatewayState* DomainState::FindGateway(std::string_view gateway_id) const {
  return FindIn(gateways, gateway_id);
}

bool DomainState::Holds(const AgentState& agent, FingerprintId fingerprint) const {
  return fingerprint != kNoFingerprint && inventories.Contains(agent.inventory, fingerprint);
}

bool DomainState::HoldsText(const AgentState& agent, std::string_view fingerprint) const {
  return !fingerprint.empty() && Holds(agent, fingerprints.Find(fingerprint));
}

std::string_view DomainState::CemFingerprintOf(const AgentState& agent) const {
  return agent.cem_fingerprint == kNoFingerprint ? std::string_view()
                                                 : fingerprints.Get(agent.cem_fingerprint);
}

std::string_view DomainState::CemSerialOf(const AgentState& agent) const {
  auto it = cem_serials.find(IndexOf(agent));
  if (it == cem_serials.end()) return {};
  return it->second;
}

const Revocation* DomainState::RevocationOf(const AgentState& agent) const {
  if (!agent.revoked) return nullptr;
  auto it = revocations.find(IndexOf(agent));
  return it == revocations.end() ? nullptr : &it->second;
}

FingerprintId DomainState::RenewedIn(const RolloutState& rollout, const AgentState& agent) const {
  auto it = rollout.renewed.find(IndexOf(agent));
  return it == rollout.renewed.end() ? kNoFingerprint : it->second;
}

std::string_view DomainState::Name(NameId id) const {
  return id == kNoName ? std::string_view() : names.Get(id);
}

}  // namespace rotor::domain
