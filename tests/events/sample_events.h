// One fully populated instance of every event type, in the order of the Event
// variant, plus a sample AgentReport and a sample envelope. The golden-bytes
// tests freeze the encodings of exactly these values: do not change them;
// add new samples for new fields instead. Test-only.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "base/time.h"
#include "events/event_types.h"
#include "events/record.h"
#include "tests/events/test_printers.h"

namespace rotor::testing {

// 2026-11-01T00:00:00Z plus `us` microseconds.
inline Time SampleTime(int64_t us = 0) { return TimeFromMicros(int64_t{1793491200000000} + us); }

inline const std::string kFpOld(64, 'a');
inline const std::string kFpNew =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

inline std::vector<Event> SampleEvents() {
  std::vector<Event> events;
  events.push_back(
      CertificateRegistered{{{kFpNew, "CN=Rotor Root", "CN=Corp CA", "0a1b2c",
                              TimeFromMicros(-500000), SampleTime(123456), "EC-prime256v1"},
                             std::string("\x30\x82\x01\x00", 4)},
                            CertificateKind::kCemRoot,
                            "agent-7"});
  events.push_back(ReplacementInitiated{"rollout-1", kFpOld, kFpNew, CertificateKind::kServerWeb,
                                        ReplacementMode::kPreStaged, 900});
  events.push_back(CertificateStaged{"rollout-1", kFpNew, "default-profile"});
  events.push_back(BindingsSwitched{"rollout-1", 2076, 2393});
  events.push_back(ReplacementCancelled{"rollout-1", "wrong certificate"});
  events.push_back(ReplacementFinalized{
      "rollout-1", 2076, 2393, true, "change window closing", {"agent-3", "agent-9"}, 1});
  events.push_back(RenewalInitiated{"rollout-2",
                                    RenewalTarget::kGatewayReportingCertificate,
                                    kFpOld,
                                    {"agent-1", "agent-2"},
                                    "gw-1"});
  events.push_back(AgentCertificateRenewed{"rollout-2", "agent-1", kFpOld, kFpNew, "ff01",
                                           SampleTime(86400000000), true,
                                           std::string("\x30\x82\x02\x00", 4)});
  events.push_back(CertificateRevoked{"agent-1", kFpOld, 1, "ff00", SampleTime(1)});
  events.push_back(GatewayAutoRefreshChanged{"gw-1", true});
  events.push_back(GatewayRefreshRequired{"gw-1", "rollout-1", GatewayRefreshStep::kAfterFinalize});
  events.push_back(GatewayRefreshPerformed{"gw-1", "rollout-1", GatewayRefreshStep::kAfterInitiate,
                                           SampleTime(60000000), "alice"});
  events.push_back(AgentInventoryReported{
      "report-1", "agent-1", SampleTime(-1), {kFpOld, kFpNew}, "gw-1", "berlin", true});
  events.push_back(AgentReportRejected{"report-2", "agent-2", SampleTime(2), "bad fingerprint"});
  events.push_back(AgentFlaggedStale{"agent-3", SampleTime(-86400000000), SampleTime(), 604800});
  events.push_back(AgentStaleCleared{"agent-3", "report-3", SampleTime(3000000)});
  events.push_back(AgentResourceDeleted{"agent-4", "decommissioned"});
  events.push_back(CommandRefused{"FinalizeReplacement", "rollout-1", "agent-5",
                                  "2 of 3 agents have not received the new certificate"});
  return events;
}

// Samples of fields added after the first version, one event each, with the
// new field set (SampleEvents() keeps the first version's bytes).
inline std::vector<Event> SampleAddedFieldEvents() {
  std::vector<Event> events;
  AgentInventoryReported superseding = std::get<AgentInventoryReported>(SampleEvents()[12]);
  superseding.supersedes_future_report = true;
  events.push_back(superseding);
  return events;
}

inline AgentReport SampleAgentReport() {
  return AgentReport{"report-1", "agent-1", SampleTime(500), {kFpOld, kFpNew}, "gw-1",
                     "berlin",   true};
}

// A sealed record with every envelope field set.
inline RecordedEvent SampleRecord() {
  RecordedEvent e;
  e.sequence = 42;
  e.stream_id = "rollout-1";
  e.stream_version = 7;
  e.event_type = "rotor.v1.ReplacementCancelled";
  e.recorded_at = SampleTime(250);
  e.actor = "alice";
  e.correlation_id = "corr-1";
  e.causation_id = "cause-1";
  e.idempotency_key = "idem-1";
  for (size_t i = 0; i < e.prev_hash.size(); ++i) e.prev_hash[i] = static_cast<uint8_t>(i);
  e.payload = std::string("\x0a\x09rollout-1", 11);
  SealRecord(e);
  return e;
}

}  // namespace rotor::testing
