// What every accepted AgentReport must satisfy, for the targets that parse
// reports (agent_report_fuzz.cc, kafka_message_fuzz.cc). Test-only.
#pragma once

#include "events/codec.h"
#include "tests/fuzz/fuzz_util.h"

namespace rotor::fuzz {

// A report that was accepted survives both of its encodings unchanged.
inline void CheckReportRoundTrips(const AgentReport& report) {
  Result<AgentReport> from_json = ParseAgentReportJson(AgentReportToJson(report));
  FUZZ_CHECK(from_json.ok() && *from_json == report);
  Result<AgentReport> from_proto = ParseAgentReport(SerializeAgentReport(report));
  FUZZ_CHECK(from_proto.ok() && *from_proto == report);
}

}  // namespace rotor::fuzz
