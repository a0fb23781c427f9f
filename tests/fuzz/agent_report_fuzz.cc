// Target: AgentReport JSON (events/codec.cc ParseAgentReportJson: protobuf's
// JSON mapping of rotor.v1.AgentReport, then the report's validation), as
// agents send it to the Kafka topic and rotorctl ingest reads it. Refuses
// bad input with kInvalidArgument and never crashes; what it accepts
// survives both encodings.
//
// Input: JSON text.
#include "tests/fuzz/report_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor;
  Result<AgentReport> report = ParseAgentReportJson(fuzz::Bytes(data, size));
  if (!report.ok()) {
    FUZZ_CHECK(report.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  fuzz::CheckReportRoundTrips(*report);
  return 0;
}
