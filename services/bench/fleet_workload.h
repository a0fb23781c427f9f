// The fleet that `rotor-bench replay` and `rotor-bench history` append: one
// server-web certificate replaced by another (rollout kRollout), agents that
// report inventories with the old and, later, the new certificate, spread over
// gateways and sites. Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/time.h"
#include "events/event_log.h"
#include "events/event_types.h"

namespace rotor::bench {

inline constexpr char kRollout[] = "rollout-web-2026";

// The old and the new server-web certificates' fingerprints.
const std::string& OldFingerprint();
const std::string& NewFingerprint();

// 2026-11-01T00:00:00Z plus `ms` milliseconds.
Time FleetTime(uint64_t ms);

// "agent-0000042".
std::string AgentName(uint64_t i);

// Agent i's report at `at`: the old certificate, and the new one when
// `with_new`; gateway gw-(i % 8), site site-(i % 50), every third one
// cloud-enabled. `round` makes the report id unique per report.
AgentInventoryReported FleetReport(uint64_t i, Time at, bool with_new, uint64_t round);

// Appends events in chunks of 20,000 (one append each, over 64 streams), as
// the fleet benchmarks build their logs. Add() returns the append's error.
class ChunkedAppender {
 public:
  explicit ChunkedAppender(EventLog& log) : log_(log) {}
  Status Add(const Event& event, Time at, const char* actor);
  // Appends what is buffered. Errors: the append's.
  Status Flush();

 private:
  static constexpr size_t kChunk = 20000;
  EventLog& log_;
  AppendRequest request_;
  uint64_t appends_ = 0;
};

// The first three events of a fleet log, at FleetTime(0): both certificates
// registered and the replacement initiated.
Status AppendFleetStart(ChunkedAppender& out);

}  // namespace rotor::bench
