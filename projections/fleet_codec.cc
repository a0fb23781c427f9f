// The fleet store codec. Values (fleet_keys.h gives the keys):
//   agent        bytes id, varint flags (AgentFlag), signed last report,
//                varint gateway, varint site, varint n, n varint fingerprint
//                ids (ascending), signed flagged_at when kStale
//   certificate  varint kind, bytes subject, issuer, serial, signed
//                not_before, not_after, bytes agent id, varint flags
//   string       the text
//   rollout      RolloutState::Encode
//   renewed      varint fingerprint id
//   target       empty
//   meta         varint last sequence, signed latest recorded_at
#include "projections/fleet_codec.h"

#include <algorithm>

#include "projections/encoding.h"
#include "projections/fleet_keys.h"

namespace rotor::projections {
namespace {

namespace keys = fleet_keys;

void MarkOnce(std::vector<bool>& marks, uint32_t id, std::vector<uint32_t>& list) {
  if (marks.size() <= id) marks.resize(std::max<size_t>(id + 1, marks.size() * 2), false);
  if (marks[id]) return;
  marks[id] = true;
  list.push_back(id);
}

void Unmark(std::vector<bool>& marks, std::vector<uint32_t>& list) {
  for (uint32_t id : list) marks[id] = false;
  list.clear();
}

void WriteAgent(const FleetModel& model, uint32_t a, KvWriter& out) {
  const AgentRecord& agent = model.agent(a);
  std::string v;
  PutBytes(&v, model.agent_id(a));
  PutVarint(&v, agent.flags);
  PutSigned(&v, agent.last_report);
  PutVarint(&v, agent.gateway);
  PutVarint(&v, agent.site);
  std::span<const uint32_t> fps = model.Inventory(a);
  PutVarint(&v, fps.size());
  for (uint32_t f : fps) PutVarint(&v, f);
  if ((agent.flags & kStale) != 0) PutSigned(&v, model.stale().at(a));
  out.Put(keys::IdKey(keys::kAgent, a), v);
}

void WriteRollout(const FleetRollouts& rollouts, uint32_t r, KvWriter& out) {
  std::string v;
  rollouts[r].Encode(&v);
  out.Put(keys::IdKey(keys::kRollout, r), v);
}

void WriteRenewed(const FleetRollouts& rollouts, uint32_t r, uint32_t a, KvWriter& out) {
  std::string v;
  PutVarint(&v, rollouts[r].renewed.at(a));
  out.Put(keys::PairKey(keys::kRenewed, r, a), v);
}

void WriteTargets(const FleetRollouts& rollouts, uint32_t r, KvWriter& out) {
  for (uint32_t a : rollouts[r].targets) out.Put(keys::PairKey(keys::kTarget, r, a), "");
}

void WriteCertificate(const FleetModel& model, uint32_t f, KvWriter& out) {
  const CertificateRecord& cert = model.certificates().at(f);
  std::string v;
  PutVarint(&v, static_cast<uint64_t>(cert.kind));
  PutBytes(&v, cert.subject);
  PutBytes(&v, cert.issuer);
  PutBytes(&v, cert.serial_hex);
  PutSigned(&v, cert.not_before);
  PutSigned(&v, cert.not_after);
  PutBytes(&v, cert.agent_id);
  PutVarint(&v, (cert.revoked ? keys::kCertificateRevoked : 0) |
                    (cert.registered ? keys::kCertificateRegistered : 0));
  out.Put(keys::IdKey(keys::kCertificate, f), v);
}

void WriteStrings(const FleetModel& model, WrittenStrings* written, KvWriter& out) {
  auto write = [&](char kind, const StringInterner& names, size_t* done) {
    for (size_t id = std::max<size_t>(*done, keys::kFirstStoredString); id < names.size(); ++id) {
      out.Put(keys::IdKey(kind, static_cast<uint32_t>(id)), names.Get(static_cast<uint32_t>(id)));
    }
    *done = names.size();
  };
  write(keys::kFingerprint, model.fingerprints(), &written->fingerprints);
  write(keys::kGateway, model.gateways(), &written->gateways);
  write(keys::kSite, model.sites(), &written->sites);
}

void WriteMeta(const FleetMeta& meta, KvWriter& out) {
  std::string v;
  PutVarint(&v, meta.last_sequence);
  PutSigned(&v, meta.latest_micros);
  out.Put(keys::kMetaKey, v);
}

}  // namespace

void FleetChanges::MarkAgent(uint32_t agent) { MarkOnce(agent_marks_, agent, agents_); }
void FleetChanges::MarkRollout(uint32_t rollout) { MarkOnce(rollout_marks_, rollout, rollouts_); }
void FleetChanges::MarkCertificate(uint32_t fingerprint) {
  MarkOnce(certificate_marks_, fingerprint, certificates_);
}

void FleetChanges::Forget() {
  Unmark(agent_marks_, agents_);
  Unmark(rollout_marks_, rollouts_);
  Unmark(certificate_marks_, certificates_);
  renewed_.clear();
  targets_.clear();
}

void FleetChanges::Reset() {
  Forget();
  written_ = {};
}

void FleetChanges::AllWritten(const FleetModel& model) {
  Forget();
  written_ = {model.fingerprints().size(), model.gateways().size(), model.sites().size()};
}

void WriteFleetChanges(const FleetModel& model, const FleetRollouts& rollouts,
                       const FleetMeta& meta, FleetChanges* changes, KvWriter& out) {
  WriteStrings(model, &changes->written(), out);
  for (uint32_t a : changes->agents()) WriteAgent(model, a, out);
  for (uint32_t r : changes->rollouts()) WriteRollout(rollouts, r, out);
  for (uint32_t f : changes->certificates()) WriteCertificate(model, f, out);
  for (const auto& [r, a] : changes->renewed()) WriteRenewed(rollouts, r, a, out);
  for (uint32_t r : changes->targets()) WriteTargets(rollouts, r, out);
  WriteMeta(meta, out);
  changes->Forget();
}

void WriteFleet(const FleetModel& model, const FleetRollouts& rollouts, const FleetMeta& meta,
                FleetChanges* changes, KvWriter& out) {
  changes->Reset();
  WriteStrings(model, &changes->written(), out);
  for (uint32_t a = 0; a < model.agent_count(); ++a) WriteAgent(model, a, out);
  for (uint32_t r = 0; r < rollouts.size(); ++r) {
    WriteRollout(rollouts, r, out);
    for (const auto& [a, f] : rollouts[r].renewed) WriteRenewed(rollouts, r, a, out);
    WriteTargets(rollouts, r, out);
  }
  for (const auto& [f, cert] : model.certificates()) WriteCertificate(model, f, out);
  WriteMeta(meta, out);
}

}  // namespace rotor::projections
