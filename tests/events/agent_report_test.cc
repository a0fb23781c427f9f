// AgentReport: round trips through protobuf bytes and the JSON mapping, and
// bad reports are kInvalidArgument naming the field.
#include <gtest/gtest.h>

#include <string>

#include "events/codec.h"
#include "rotor/v1/agent_report.pb.h"
#include "tests/events/sample_events.h"

namespace rotor::testing {
namespace {

TEST(AgentReportTest, RoundTripsThroughProtobufBytes) {
  auto parsed = ParseAgentReport(SerializeAgentReport(SampleAgentReport()));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, SampleAgentReport());
}

TEST(AgentReportTest, RoundTripsThroughJson) {
  std::string json = AgentReportToJson(SampleAgentReport());
  EXPECT_NE(json.find("\"reportId\":\"report-1\""), std::string::npos) << json;
  auto parsed = ParseAgentReportJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, SampleAgentReport());
}

TEST(AgentReportTest, ParsesGoodJson) {
  auto parsed = ParseAgentReportJson(R"({
    "reportId": "r-9",
    "agentId": "agent-9",
    "reportedAt": "2026-11-01T00:00:00.000500Z",
    "certificateFingerprints": [")" + kFpOld +
                                     R"("],
    "gatewayId": "gw-2",
    "site": "lyon",
    "cloudEnabled": true
  })");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed,
            (AgentReport{"r-9", "agent-9", SampleTime(500), {kFpOld}, "gw-2", "lyon", true}));
}

TEST(AgentReportTest, AcceptsProtoFieldNamesAndOmittedOptionalFields) {
  auto parsed = ParseAgentReportJson(
      R"({"report_id": "r-1", "agent_id": "a-1", "reported_at": "2026-11-01T00:00:00Z"})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, (AgentReport{"r-1", "a-1", SampleTime(), {}, "", "", false}));
}

struct BadJson {
  const char* name;
  std::string json;
  const char* message_part;
};

TEST(AgentReportTest, BadJsonIsInvalidArgumentNamingTheField) {
  const std::string fp = "\"" + kFpOld + "\"";
  const BadJson cases[] = {
      {"unknown field",
       R"({"reportId": "r-1", "agentId": "a-1", "reportedAt": "2026-11-01T00:00:00Z", "colour": 1})",
       "colour"},
      {"missing report_id", R"({"agentId": "a-1", "reportedAt": "2026-11-01T00:00:00Z"})",
       "report_id is empty"},
      {"missing agent_id", R"({"reportId": "r-1", "reportedAt": "2026-11-01T00:00:00Z"})",
       "agent report r-1: agent_id is empty"},
      {"missing reported_at", R"({"reportId": "r-1", "agentId": "a-1"})",
       "agent report r-1: reported_at is missing"},
      {"bad fingerprint",
       R"({"reportId": "r-1", "agentId": "a-1", "reportedAt": "2026-11-01T00:00:00Z",
           "certificateFingerprints": [)" +
           fp + R"(, "ABCDEF"]})",
       "agent report r-1: certificate_fingerprints[1] is not 64 lower-case hex digits"},
      {"upper-case fingerprint",
       R"({"reportId": "r-1", "agentId": "a-1", "reportedAt": "2026-11-01T00:00:00Z",
           "certificateFingerprints": [")" +
           std::string(64, 'A') + R"("]})",
       "certificate_fingerprints[0]"},
      {"wrong type", R"({"reportId": 5, "agentId": "a-1"})", "agent report JSON"},
      {"bad time", R"({"reportId": "r-1", "agentId": "a-1", "reportedAt": "yesterday"})",
       "agent report JSON"},
      {"not JSON", "report-1", "agent report JSON"},
      {"empty", "", "agent report JSON"},
  };
  for (const BadJson& c : cases) {
    auto r = ParseAgentReportJson(c.json);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
        << c.name << ": " << r.status().message();
  }
}

TEST(AgentReportTest, BadBytesAreInvalidArgument) {
  auto garbage = ParseAgentReport("\xff\xff\xff");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(garbage.status().message(), "bytes do not parse as rotor.v1.AgentReport");
  AgentReport no_id = SampleAgentReport();
  no_id.report_id.clear();
  auto invalid = ParseAgentReport(SerializeAgentReport(no_id));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().message(), "agent report: report_id is empty");
}

TEST(AgentReportTest, OutOfRangeReportedAtIsInvalidArgument) {
  v1::AgentReport m;
  ToProto(SampleAgentReport(), &m);
  m.mutable_reported_at()->set_seconds(-(int64_t{1} << 62));
  auto r = ParseAgentReport(m.SerializeAsString());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "agent report report-1: AgentReport.reported_at: timestamp out of range");
}

TEST(AgentReportTest, ProtoConversionValidates) {
  v1::AgentReport m;
  ToProto(SampleAgentReport(), &m);
  EXPECT_EQ(m.report_id(), "report-1");
  EXPECT_EQ(m.certificate_fingerprints_size(), 2);
  auto back = FromProto(m);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, SampleAgentReport());
  m.clear_reported_at();
  EXPECT_EQ(FromProto(m).status().message(), "agent report report-1: reported_at is missing");
}

}  // namespace
}  // namespace rotor::testing
