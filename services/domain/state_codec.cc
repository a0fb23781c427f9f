#include "services/domain/state_codec.h"

#include <algorithm>

#include "services/domain/state_codec_io.h"
#include "services/domain/state_encoder.h"

namespace rotor::domain {

using state_codec::DecodeAgents;
using state_codec::DecodeCertificates;
using state_codec::DecodeRollout;
using state_codec::Reader;

std::string EncodeState(const DomainState& s) {
  StateEncoder encoder;
  while (!encoder.Step(s, nullptr)) {
  }
  std::string out;
  for (std::string_view part : encoder.Parts()) out.append(part);
  return out;
}

namespace state_codec {

void EncodeRest(Writer& w, const DomainState& s) {
  EncodeCertificates(w, s);
  w.U(s.rollouts.size());
  for (const auto& [id, r] : s.rollouts) EncodeRollout(w, r);
  w.U(s.gateways.size());
  for (const auto& [id, g] : s.gateways) {
    w.S(id);
    w.B(g.auto_refresh);
    w.B(g.setting_recorded);
  }
  w.U(s.stream_versions.size());
  for (const auto& [id, version] : s.stream_versions) {
    w.S(id);
    w.U(version);
  }
  w.Strings(s.tracked_rollouts);
}

}  // namespace state_codec

namespace {

// Format version 1: the agents at once; version 2: their count, the chunk
// size, then the chunks in order (state_encoder.h).
void DecodeAgentsOf(uint64_t version, Reader& r, DomainState& s) {
  if (version == kStateFormatVersionOne) {
    DecodeAgents(r, s, s.agent_ids.size());
    return;
  }
  size_t n = r.Count("agents");
  uint64_t chunk = r.U("agent chunk size");
  if (n != s.agent_ids.size()) r.Fail("agents (not one per agent id)");
  if (chunk == 0 && n != 0) r.Fail("agent chunk size");
  if (r.ok()) s.agents.reserve(n);
  for (size_t first = 0; first < n && r.ok(); first += chunk) {
    DecodeAgents(r, s, std::min<uint64_t>(chunk, n - first));
  }
}

}  // namespace

Result<DomainState> DecodeState(std::string_view bytes) {
  Reader r(bytes);
  uint64_t version = r.U("format version");
  if (!r.ok()) return Status::Corruption(r.error());
  if (version != kStateFormatVersion && version != kStateFormatVersionOne) {
    return Status::FailedPrecondition("state snapshot has format version " +
                                      std::to_string(version) + "; this build reads versions " +
                                      std::to_string(kStateFormatVersionOne) + " and " +
                                      std::to_string(kStateFormatVersion));
  }
  DomainState s;
  s.last_sequence = r.U("last sequence");
  r.Interner(s.fingerprints, "fingerprints");
  r.Interner(s.names, "names");
  r.Interner(s.agent_ids, "agent ids");
  DecodeAgentsOf(version, r, s);
  DecodeCertificates(r, s);
  size_t rollouts = r.Count("rollouts");
  for (size_t i = 0; i < rollouts && r.ok(); ++i) {
    RolloutState rollout = DecodeRollout(r, s);
    std::string id = rollout.id;
    s.rollouts.emplace(std::move(id), std::move(rollout));
  }
  size_t gateways = r.Count("gateways");
  for (size_t i = 0; i < gateways && r.ok(); ++i) {
    std::string id = r.S("gateway id");
    GatewayState& g = s.gateways[id];
    g.auto_refresh = r.B("gateway auto refresh");
    g.setting_recorded = r.B("gateway setting");
  }
  size_t streams = r.Count("stream versions");
  for (size_t i = 0; i < streams && r.ok(); ++i) {
    std::string id = r.S("stream id");
    s.stream_versions[id] = r.U("stream version");
  }
  s.tracked_rollouts = r.Strings("tracked rollouts");
  for (const std::string& id : s.tracked_rollouts) {
    auto it = s.rollouts.find(id);
    if (it == s.rollouts.end() || !it->second.tracked) r.Fail("tracked rollouts");
  }
  if (r.ok() && !r.AtEnd()) r.Fail("end (bytes follow the last field)");
  if (!r.ok()) return Status::Corruption(r.error());
  return s;
}

}  // namespace rotor::domain
