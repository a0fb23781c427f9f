#include "tests/projections/test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include "base/hash.h"
#include "events/codec.h"

namespace rotor::projections::testing {

Time At(int64_t seconds) { return TimeFromMicros((int64_t{1793491200} + seconds) * 1000000); }

std::string Fp(std::string_view name) { return ToHex(Sha256(name)); }

std::string AgentId(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "agent-%07llu", static_cast<unsigned long long>(i));
  return buf;
}

AgentInventoryReported Report(std::string agent, Time reported_at,
                              std::vector<std::string> fingerprints, std::string gateway,
                              std::string site, bool cloud_enabled) {
  AgentInventoryReported e;
  e.report_id = agent + "@" + std::to_string(ToMicros(reported_at));
  e.agent_id = std::move(agent);
  e.reported_at = reported_at;
  e.certificate_fingerprints = std::move(fingerprints);
  e.gateway_id = std::move(gateway);
  e.site = std::move(site);
  e.cloud_enabled = cloud_enabled;
  return e;
}

AgentFlaggedStale Flag(std::string agent, Time last_report_at, Time flagged_at) {
  return AgentFlaggedStale{std::move(agent), last_report_at, flagged_at, 7 * 86400};
}

ReplacementInitiated Replace(std::string rollout, std::string old_fp, std::string new_fp,
                             ReplacementMode mode) {
  return ReplacementInitiated{std::move(rollout),
                              std::move(old_fp),
                              std::move(new_fp),
                              CertificateKind::kServerWeb,
                              mode,
                              1000};
}

CertificateRegistered Register(std::string fp, CertificateKind kind, Time not_after,
                               std::string subject, std::string agent_id) {
  CertificateRegistered e;
  e.fingerprint = std::move(fp);
  e.kind = kind;
  e.subject = std::move(subject);
  e.issuer = "CN=Test CA";
  e.serial_hex = "01";
  e.not_before = At(-86400);
  e.not_after = not_after;
  e.agent_id = std::move(agent_id);
  return e;
}

uint64_t Folder::operator()(const Event& event, Time at, std::string actor) {
  RecordedEvent record;
  record.sequence = ++sequence_;
  record.stream_id = "test";
  record.event_type = std::string(EventTypeName(event));
  record.recorded_at = at;
  record.actor = std::move(actor);
  for (Projection* p : projections_) p->Apply(record, event);
  return record.sequence;
}

uint64_t Append(EventLog& log, const Event& event, Time at, std::string actor) {
  AppendRequest request;
  request.stream_id = "test-" + std::to_string(log.Head() % 8);
  request.events.push_back(MakeNewEvent(event, at, std::move(actor)));
  Result<AppendResult> result = log.Append(std::move(request));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? result->last_sequence : 0;
}

uint64_t AppendAll(EventLog& log, const std::vector<TimedEvent>& events, size_t chunk) {
  uint64_t last = log.Head();
  for (size_t first = 0; first < events.size(); first += chunk) {
    AppendRequest request;
    request.stream_id = "test-" + std::to_string(first / chunk % 8);
    for (size_t i = first; i < std::min(events.size(), first + chunk); ++i) {
      request.events.push_back(MakeNewEvent(events[i].event, events[i].at, events[i].actor));
    }
    Result<AppendResult> result = log.Append(std::move(request));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return 0;
    last = result->last_sequence;
  }
  return last;
}

}  // namespace rotor::projections::testing
