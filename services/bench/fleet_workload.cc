#include "services/bench/fleet_workload.h"

#include <spdlog/fmt/fmt.h>

#include <utility>

#include "base/hash.h"
#include "events/codec.h"

namespace rotor::bench {

const std::string& OldFingerprint() {
  static const std::string fp = ToHex(Sha256("server-web-2025"));
  return fp;
}

const std::string& NewFingerprint() {
  static const std::string fp = ToHex(Sha256("server-web-2026"));
  return fp;
}

Time FleetTime(uint64_t ms) {
  return TimeFromMicros(int64_t{1793491200000000} + static_cast<int64_t>(ms) * 1000);
}

std::string AgentName(uint64_t i) { return fmt::format("agent-{:07}", i); }

AgentInventoryReported FleetReport(uint64_t i, Time at, bool with_new, uint64_t round) {
  AgentInventoryReported e;
  e.agent_id = AgentName(i);
  e.report_id = fmt::format("{}-{}", e.agent_id, round);
  e.reported_at = at;
  e.certificate_fingerprints = {OldFingerprint()};
  if (with_new) e.certificate_fingerprints.push_back(NewFingerprint());
  e.gateway_id = fmt::format("gw-{}", i % 8);
  e.site = fmt::format("site-{:02}", i % 50);
  e.cloud_enabled = i % 3 == 0;
  return e;
}

Status ChunkedAppender::Add(const Event& event, Time at, const char* actor) {
  request_.events.push_back(MakeNewEvent(event, at, actor));
  if (request_.events.size() < kChunk) return Status::Ok();
  return Flush();
}

Status ChunkedAppender::Flush() {
  if (request_.events.empty()) return Status::Ok();
  request_.stream_id = fmt::format("replay-{}", appends_++ % 64);
  Result<AppendResult> r = log_.Append(std::exchange(request_, AppendRequest()));
  return r.status();
}

Status AppendFleetStart(ChunkedAppender& out) {
  Time t0 = FleetTime(0);
  ROTOR_RETURN_IF_ERROR(out.Add(
      CertificateRegistered{
          {{OldFingerprint(), "CN=ns", "CN=ca", "01", t0, FleetTime(86400000ull * 30), ""}, ""},
          CertificateKind::kServerWeb,
          ""},
      t0, "admin"));
  ROTOR_RETURN_IF_ERROR(out.Add(
      CertificateRegistered{
          {{NewFingerprint(), "CN=ns", "CN=ca", "02", t0, FleetTime(86400000ull * 400), ""}, ""},
          CertificateKind::kServerWeb,
          ""},
      t0, "admin"));
  return out.Add(ReplacementInitiated{kRollout, OldFingerprint(), NewFingerprint(),
                                      CertificateKind::kServerWeb, ReplacementMode::kDirect, 1000},
                 t0, "alice");
}

}  // namespace rotor::bench
