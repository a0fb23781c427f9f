// ScanPlainAgentReportJson, the fast path of ParseAgentReportJson: for every
// input it takes, the message equals what protobuf's JSON parser builds; it
// takes the plain shapes agents send (or the fast path would never run); and
// it declines what only protobuf's parser may answer.
#include "events/agent_report_json.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "events/codec.h"
#include "rotor/v1/agent_report.pb.h"

namespace rotor::testing {
namespace {

namespace pb = ::google::protobuf;

const std::string kFp(64, 'a');

// Protobuf's answer for `json`: the message, or nullopt when it refuses.
std::optional<v1::AgentReport> ProtobufParse(const std::string& json) {
  v1::AgentReport m;
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!pb::util::JsonStringToMessage(json, &m, options).ok()) return std::nullopt;
  return m;
}

// When the scanner takes `json`, protobuf must take it too, with an equal
// message. Returns whether the scanner took it.
bool ScanAgrees(const std::string& json) {
  v1::AgentReport fast;
  bool taken = ScanPlainAgentReportJson(json, &fast);
  if (!taken) return false;
  std::optional<v1::AgentReport> slow = ProtobufParse(json);
  EXPECT_TRUE(slow.has_value()) << "scanner took what protobuf refuses: " << json;
  if (slow.has_value()) {
    EXPECT_TRUE(pb::util::MessageDifferencer::Equals(fast, *slow))
        << json << "\nscanner:  " << fast.ShortDebugString()
        << "\nprotobuf: " << slow->ShortDebugString();
  }
  return true;
}

std::string Plain(const std::string& at = "2026-11-01T10:20:30Z") {
  return R"({"reportId":"r-1","agentId":"agent-1","reportedAt":")" + at +
         R"(","certificateFingerprints":[")" + kFp + R"(",")" + std::string(64, 'b') +
         R"("],"gatewayId":"gw-1",)" + R"("site":"site-1","cloudEnabled":true})";
}

TEST(AgentReportJsonTest, TakesThePlainShapesAndAgreesWithProtobuf) {
  std::vector<std::string> plain = {
      Plain(),
      Plain("2024-02-29T23:59:59.5Z"),
      Plain("2026-11-01T00:00:00.000500Z"),
      Plain("2026-11-01T00:00:00.123456789Z"),
      Plain("0001-01-01T00:00:00Z"),
      Plain("9999-12-31T23:59:59.999999999Z"),
      Plain("1969-12-31T23:59:59.1Z"),
      R"({"report_id":"r","agent_id":"a","reported_at":"2026-01-01T00:00:00Z",)"
      R"("certificate_fingerprints":[],"gateway_id":"","site":"","cloud_enabled":false})",
      " {\n\t\"site\" : \"s\" ,\r\n \"reportId\":\"x\" } \n",
      "{}",
      R"({"certificateFingerprints":[ "a" , "b" ]})",
      R"({"agentId":"with space ~!@#$%^&*()_+{}[]:;'<>,.?/|`"})",
  };
  for (const std::string& json : plain) EXPECT_TRUE(ScanAgrees(json)) << "not taken: " << json;
}

TEST(AgentReportJsonTest, DeclinesWhatOnlyProtobufMayAnswer) {
  std::vector<std::string> other = {
      Plain("2026-11-01T10:20:30+01:00"),  // an offset
      Plain("2026-11-01T10:20:30.1234567891Z"),
      Plain("2026-11-01T10:20:30.25142491422000000Z"),  // once an int overflow (fuzzing)
      Plain("2026-02-29T10:20:30Z"),                    // not a leap year
      Plain("2026-13-01T10:20:30Z"),
      Plain("2026-11-01T24:00:00Z"),
      Plain("0000-01-01T00:00:00Z"),
      Plain("2026-11-01t10:20:30z"),
      Plain("2026-11-01T10:20:30.Z"),
      R"({"reportId":"a\"b"})",
      R"({"reportId":"caf\u00e9"})",
      "{\"reportId\":\"caf\xc3\xa9\"}",
      R"({"reportId":null})",
      R"({"reportId":1})",
      R"({"cloudEnabled":"true"})",
      R"({"reportId":"a","reportId":"b"})",
      R"({"reportId":"a","report_id":"b"})",
      R"({"unknown":"x"})",
      R"({"reportId":"a",})",
      R"({"reportId":"a"} x)",
      R"({"certificateFingerprints":"a"})",
      R"({"certificateFingerprints":["a",]})",
      "[]",
      "",
  };
  for (const std::string& json : other) {
    v1::AgentReport m;
    EXPECT_FALSE(ScanPlainAgentReportJson(json, &m)) << "taken: " << json;
  }
}

// Every single-byte change of plain reports (each byte replaced by one of a
// set of JSON-significant characters, or removed): whatever the scanner takes
// protobuf takes the same way.
TEST(AgentReportJsonTest, MutatedInputsNeverDisagree) {
  const std::string replacements = "\"\\{}[]:, 0aZT.-+tfn\x01\x7f";
  size_t taken = 0, total = 0;
  for (const std::string& base : {Plain(), Plain("2024-02-29T23:59:59.25Z")}) {
    for (size_t i = 0; i < base.size(); ++i) {
      std::string removed = base;
      removed.erase(i, 1);
      taken += ScanAgrees(removed) ? 1 : 0;
      ++total;
      for (char c : replacements) {
        std::string changed = base;
        changed[i] = c;
        taken += ScanAgrees(changed) ? 1 : 0;
        ++total;
      }
    }
  }
  EXPECT_GT(taken, total / 4) << "the mutations should mostly stay plain";
}

// ParseAgentReportJson answers the same through either path: a plain report
// and the same report with an escape (which protobuf's parser reads).
TEST(AgentReportJsonTest, ParseAgentReportJsonIsTheSameThroughEitherPath) {
  std::string plain = Plain();
  std::string escaped = plain;
  escaped.replace(escaped.find("gw-1"), 4, R"(gw\u002d1)");
  v1::AgentReport m;
  ASSERT_TRUE(ScanPlainAgentReportJson(plain, &m));
  ASSERT_FALSE(ScanPlainAgentReportJson(escaped, &m));
  Result<AgentReport> fast = ParseAgentReportJson(plain);
  Result<AgentReport> slow = ParseAgentReportJson(escaped);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  EXPECT_EQ(*fast, *slow);
  EXPECT_EQ(fast->gateway_id, "gw-1");
}

}  // namespace
}  // namespace rotor::testing
