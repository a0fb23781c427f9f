// Helpers for the projection tests: fingerprints, times, event builders, a
// folder that applies events straight to projections, a log writer, and a
// temporary directory. Test-only; thread-compatible.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "events/event_log.h"
#include "events/event_types.h"
#include "projections/projection.h"
#include "tests/testing/temp_dir.h"

namespace rotor::projections::testing {

// 2026-11-01T00:00:00Z plus `seconds`.
Time At(int64_t seconds);

// A deterministic 64-hex-digit fingerprint named `name`.
std::string Fp(std::string_view name);

// "agent-0000042".
std::string AgentId(uint64_t i);

AgentInventoryReported Report(std::string agent, Time reported_at,
                              std::vector<std::string> fingerprints, std::string gateway = "",
                              std::string site = "", bool cloud_enabled = false);
AgentFlaggedStale Flag(std::string agent, Time last_report_at, Time flagged_at);
ReplacementInitiated Replace(std::string rollout, std::string old_fp, std::string new_fp,
                             ReplacementMode mode = ReplacementMode::kDirect);
CertificateRegistered Register(std::string fp, CertificateKind kind, Time not_after,
                               std::string subject = "", std::string agent_id = "");

struct TimedEvent {
  Event event;
  Time at;
  std::string actor = "tester";
};

// Applies events to projections directly, numbering them 1, 2, 3, ...
class Folder {
 public:
  Folder(std::initializer_list<Projection*> projections) : projections_(projections) {}
  // Applies `event` recorded at `at` by `actor`; returns its sequence.
  uint64_t operator()(const Event& event, Time at, std::string actor = "tester");

 private:
  std::vector<Projection*> projections_;
  uint64_t sequence_ = 0;
};

// Appends events to a log, each as its own append to stream "test-<n % 8>".
// Fails the test on an error.
uint64_t Append(EventLog& log, const Event& event, Time at, std::string actor = "tester");
// Appends `events` in appends of at most `chunk` events. Returns the last sequence.
uint64_t AppendAll(EventLog& log, const std::vector<TimedEvent>& events, size_t chunk = 1000);

using rotor::testing::TempDir;

}  // namespace rotor::projections::testing
