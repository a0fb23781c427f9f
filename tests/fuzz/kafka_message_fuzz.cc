// Target: a Kafka message on the agent-reports topic, as the report consumer
// parses each one (services/kafka/report_consumer.cc ParseReportMessage: by
// its content-type header, protobuf bytes or JSON). A message it refuses goes
// to the dead-letter topic with the reason, so it must refuse with
// kInvalidArgument and never crash; what it accepts survives both encodings.
//
// Input: the content-type header's value, a newline, then the message value.
#include "services/kafka/report_consumer.h"
#include "tests/fuzz/report_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor;
  std::string_view input = fuzz::Bytes(data, size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return -1;  // not added to the corpus
  Result<AgentReport> report =
      kafka::ParseReportMessage(input.substr(0, newline), input.substr(newline + 1));
  if (!report.ok()) {
    FUZZ_CHECK(report.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  fuzz::CheckReportRoundTrips(*report);
  return 0;
}
