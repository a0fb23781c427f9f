#include "projections/audit_projection.h"

#include <algorithm>

#include "projections/encoding.h"

namespace rotor::projections {
namespace {

std::string Step(GatewayRefreshStep step) { return std::string(GatewayRefreshStepName(step)); }

// "finalize refused" for a CommandRefused of FinalizeReplacement.
std::string RefusedAction(std::string_view command) {
  if (command == "FinalizeReplacement") return "finalize refused";
  if (command == "CancelReplacement") return "cancel refused";
  if (command == "SwitchBindings") return "switch bindings refused";
  return std::string(command) + " refused";
}

}  // namespace

void AuditProjection::Clear() {
  timelines_.clear();
  last_sequence_ = 0;
  unwritten_.clear();
}

void AuditProjection::Add(std::string_view rollout_id, const RecordedEvent& record,
                          std::string action, std::string detail) {
  if (rollout_id.empty()) return;
  auto it = timelines_.find(rollout_id);
  if (it == timelines_.end()) {
    it = timelines_.emplace(std::string(rollout_id), std::vector<AuditEntry>{}).first;
  }
  it->second.push_back(
      {record.sequence, record.recorded_at, record.actor, std::move(action), std::move(detail)});
  if (track_) unwritten_.emplace_back(it->first, it->second.size() - 1);
}

void AuditProjection::Apply(const RecordedEvent& record, const Event& event) {
  if (record.sequence <= last_sequence_) return;  // replayed: already folded
  last_sequence_ = record.sequence;
  const RecordedEvent& r = record;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ReplacementInitiated>) {
          Add(e.rollout_id, r, "replacement initiated",
              "replace " + e.old_fingerprint + " by " + e.new_fingerprint + " (" +
                  std::string(CertificateKindName(e.kind)) + ", " +
                  std::string(ReplacementModeName(e.mode)) + ")");
        } else if constexpr (std::is_same_v<T, CertificateStaged>) {
          Add(e.rollout_id, r, "certificate staged",
              e.fingerprint + " added to profile '" + e.communication_profile + "'");
        } else if constexpr (std::is_same_v<T, BindingsSwitched>) {
          Add(e.rollout_id, r, "bindings switched",
              std::to_string(e.staged_agents) + " of " + std::to_string(e.counted_agents) +
                  " agents had the staged certificate");
        } else if constexpr (std::is_same_v<T, ReplacementFinalized>) {
          Add(e.rollout_id, r,
              e.forced ? "replacement finalized (forced)" : "replacement finalized",
              std::to_string(e.received) + " of " + std::to_string(e.total) +
                  " agents received the new certificate" +
                  (e.reason.empty() ? "" : "; reason: " + e.reason));
        } else if constexpr (std::is_same_v<T, ReplacementCancelled>) {
          Add(e.rollout_id, r, "replacement cancelled", "reason: " + e.reason);
        } else if constexpr (std::is_same_v<T, RenewalInitiated>) {
          std::string who = !e.agent_ids.empty()
                                ? std::to_string(e.agent_ids.size()) + " listed agents"
                                : (e.gateway_id.empty() ? "every cloud-enabled agent"
                                                        : "gateway " + e.gateway_id);
          Add(e.rollout_id, r, "renewal initiated",
              std::string(RenewalTargetName(e.target)) + " for " + who);
        } else if constexpr (std::is_same_v<T, AgentCertificateRenewed>) {
          Add(e.rollout_id, r, "agent certificate renewed",
              "agent " + e.agent_id + " received " + e.new_fingerprint);
        } else if constexpr (std::is_same_v<T, GatewayRefreshRequired>) {
          Add(e.rollout_id, r, "gateway refresh required",
              "gateway " + e.gateway_id + " (" + Step(e.step) + ")");
        } else if constexpr (std::is_same_v<T, CommandRefused>) {
          Add(e.rollout_id, r, RefusedAction(e.command), e.reason);
        } else if constexpr (std::is_same_v<T, GatewayRefreshPerformed>) {
          Add(e.rollout_id, r, "gateway refresh performed",
              "gateway " + e.gateway_id + " (" + Step(e.step) + ") by " + e.performed_by + " at " +
                  FormatTime(e.performed_at));
        }
      },
      event);
}

std::vector<AuditEntry> AuditProjection::Timeline(std::string_view rollout_id) const {
  auto it = timelines_.find(rollout_id);
  return it == timelines_.end() ? std::vector<AuditEntry>{} : it->second;
}

std::vector<std::string> AuditProjection::RolloutIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, entries] : timelines_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string AuditProjection::Key(std::string_view rollout_id, uint64_t sequence) {
  std::string key = "e";
  key += rollout_id;
  key.push_back('\0');
  PutBigEndian64(&key, sequence);
  return key;
}

std::string AuditProjection::Encode(const AuditEntry& entry) {
  std::string v;
  PutSigned(&v, ToMicros(entry.recorded_at));
  PutBytes(&v, entry.actor);
  PutBytes(&v, entry.action);
  PutBytes(&v, entry.detail);
  return v;
}

void AuditProjection::WriteChanges(KvWriter& out) {
  if (!track_) return WriteAll(out);
  for (const auto& [id, index] : unwritten_) {
    const AuditEntry& entry = timelines_.find(id)->second[index];
    out.Put(Key(id, entry.sequence), Encode(entry));
  }
  out.Put("z", [&] {
    std::string v;
    PutVarint(&v, last_sequence_);
    return v;
  }());
  unwritten_.clear();
}

void AuditProjection::WriteAll(KvWriter& out) {
  for (const auto& [id, entries] : timelines_) {
    for (const AuditEntry& entry : entries) out.Put(Key(id, entry.sequence), Encode(entry));
  }
  std::string v;
  PutVarint(&v, last_sequence_);
  out.Put("z", v);
  unwritten_.clear();
}

Status AuditProjection::Load(const KvReader& in) {
  Clear();
  Status bad;
  ROTOR_RETURN_IF_ERROR(in.Scan("e", [&](std::string_view key, std::string_view value) {
    // "e" rollout_id 0x00 BE64(sequence): the id is everything between.
    size_t nul = key.size() >= 11 ? key.size() - 9 : 0;
    Reader r(value);
    AuditEntry entry;
    int64_t at = 0;
    if (nul == 0 || key[nul] != '\0' || !r.Signed(&at) || !r.Bytes(&entry.actor) ||
        !r.Bytes(&entry.action) || !r.Bytes(&entry.detail) || !r.done()) {
      bad = Status::Corruption("audit projection: an entry does not decode");
      return false;
    }
    entry.sequence = GetBigEndian64(key.substr(nul + 1));
    entry.recorded_at = TimeFromMicros(at);
    timelines_[std::string(key.substr(1, nul - 1))].push_back(std::move(entry));
    return true;
  }));
  ROTOR_RETURN_IF_ERROR(bad);
  ROTOR_RETURN_IF_ERROR(in.Scan("z", [&](std::string_view, std::string_view value) {
    Reader r(value);
    if (!r.Varint(&last_sequence_) || !r.done()) {
      bad = Status::Corruption("audit projection: meta does not decode");
    }
    return false;
  }));
  return bad;
}

size_t AuditProjection::MemoryBytes() const {
  size_t bytes = timelines_.bucket_count() * sizeof(void*);
  for (const auto& [id, entries] : timelines_) {
    bytes += 64 + id.capacity() + entries.capacity() * sizeof(AuditEntry);
    for (const AuditEntry& e : entries) {
      bytes += e.actor.capacity() + e.action.capacity() + e.detail.capacity();
    }
  }
  return bytes;
}

std::string AuditProjection::Dump() const {
  std::string out = "audit seq=" + std::to_string(last_sequence_) + "\n";
  for (const std::string& id : RolloutIds()) {
    for (const AuditEntry& e : timelines_.find(id)->second) {
      out += id + " #" + std::to_string(e.sequence) + " " +
             std::to_string(ToMicros(e.recorded_at)) + " " + e.actor + " " + e.action + ": " +
             e.detail + "\n";
    }
  }
  return out;
}

}  // namespace rotor::projections
