// Strict request parsing: malformed JSON, unknown fields, wrong types and
// oversized bodies get 400 with a message naming the problem, and append
// nothing.
#include <gtest/gtest.h>

#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class EngineJsonTest : public EngineFixture {
 protected:
  // Expects 400 invalid_argument whose message contains `needle`, and no append.
  void ExpectRefused(const std::string& method, const std::string& path, const std::string& body,
                     const std::string& needle, const Principal& who = Operator()) {
    uint64_t head = engine_->Head();
    Reply r = Call(method, path, body, who);
    EXPECT_EQ(r.status, 400) << method << " " << path << ": " << r.body;
    EXPECT_EQ(r.json["error"]["code"], "invalid_argument") << r.body;
    std::string message = r.json["error"].value("message", "");
    EXPECT_NE(message.find(needle), std::string::npos)
        << "message '" << message << "' does not name '" << needle << "'";
    EXPECT_EQ(engine_->Head(), head) << "a refused request appended events";
  }
};

TEST_F(EngineJsonTest, MalformedJsonNamesThePosition) {
  ExpectRefused("POST", "/v1/replacements", "{\"old_fingerprint\": ", "malformed JSON");
  ExpectRefused("POST", "/v1/replacements", "{\"a\": 1,}", "malformed JSON");
  ExpectRefused("POST", "/v1/replacements", "[1, 2]", "must be a JSON object");
  ExpectRefused("POST", "/v1/reports", "{not json", "malformed JSON", AgentRole());
  ExpectRefused("POST", "/v1/reports:batch", "{\"reports\": [", "malformed JSON", AgentRole());
}

TEST_F(EngineJsonTest, UnknownFieldsAreNamed) {
  std::string fp(64, 'a');
  std::string other(64, 'b');
  ExpectRefused(
      "POST", "/v1/replacements",
      json{{"old_fingerprint", fp}, {"new_fingerprint", other}, {"old_fingerprnt", fp}}.dump(),
      "unknown field 'old_fingerprnt'");
  ExpectRefused("POST", "/v1/rollouts/r1/cancel", R"({"reason": "x", "force": true})",
                "unknown field 'force'");
  ExpectRefused("POST", "/v1/rollouts/r1/switch-bindings", R"({"now": 1})", "unknown field 'now'");
  ExpectRefused("PUT", "/v1/gateways/gw1", R"({"auto_refresh": true, "autorefresh": false})",
                "unknown field 'autorefresh'");
  json report = ReportJson("r-1", "a1", "2026-02-01T00:00:00Z", {});
  report["colour"] = "blue";
  ExpectRefused("POST", "/v1/reports", report.dump(), "colour", AgentRole());
}

TEST_F(EngineJsonTest, WrongTypesAndMissingFieldsAreNamed) {
  ExpectRefused("PUT", "/v1/gateways/gw1", R"({"auto_refresh": "yes"})",
                "field 'auto_refresh' must be true or false");
  ExpectRefused("PUT", "/v1/gateways/gw1", "{}", "missing field 'auto_refresh'");
  ExpectRefused("POST", "/v1/agents/a1/revoke", R"({"reason_code": "key"})",
                "field 'reason_code' must be an integer");
  ExpectRefused("POST", "/v1/agents/a1/revoke", R"({"reason_code": 11})",
                "field 'reason_code' must be in 0..10");
  ExpectRefused("POST", "/v1/replacements", R"({"new_fingerprint": "x"})",
                "missing field 'old_fingerprint'");
  ExpectRefused("POST", "/v1/replacements",
                R"({"old_fingerprint": "a", "new_fingerprint": "b", "mode": "sideways"})",
                "field 'mode' must be direct or pre-staged");
  ExpectRefused("POST", "/v1/renewals", R"({"target": "cem-agent-certificates", "agent_ids": [1]})",
                "field 'agent_ids'[0] must be a string");
  ExpectRefused("POST", "/v1/certificates", R"({"kind": "server-web", "pem": "garbage"})",
                "certificate");
  ExpectRefused("POST", "/v1/certificates", R"({"kind": "laptop", "pem": "x"})", "field 'kind'");
  ExpectRefused("POST", "/v1/sweeps/stale", R"({"threshold_seconds": 0})",
                "field 'threshold_seconds' must be in 1..");
}

TEST_F(EngineJsonTest, OversizedBodiesAreRefusedBeforeParsing) {
  std::string big = "{\"reason\": \"" + std::string(70 * 1024, 'x') + "\"}";
  ExpectRefused("POST", "/v1/rollouts/r1/cancel", big, "over the limit of 65536 bytes");
}

TEST_F(EngineJsonTest, ABatchWithOneBadReportIsRefusedWhole) {
  json batch = {{"reports",
                 {ReportJson("ok-1", "a1", "2026-02-01T00:00:00Z", {}),
                  ReportJson("bad", "a2", "2026-02-01T00:00:00Z", {"not-a-fingerprint"})}}};
  ExpectRefused("POST", "/v1/reports:batch", batch.dump(), "reports[1]", Ingest());
  json extra = {{"reports", json::array()}, {"source", "kafka"}};
  ExpectRefused("POST", "/v1/reports:batch", extra.dump(), "unknown field 'source'", AgentRole());
  ExpectRefused("POST", "/v1/reports:batch", R"({"reports": {}})", "must be an array", AgentRole());
  ExpectRefused("POST", "/v1/reports:batch", R"({"reports": [7]})",
                "reports[0] must be a JSON object", AgentRole());
}

// A batch body is read by a splitter when it is plain and as a JSON document
// otherwise (an escape anywhere is enough): both answer the same.
TEST_F(EngineJsonTest, PlainAndDocumentBatchBodiesAnswerTheSame) {
  std::string fp(64, 'a');
  json bad = {{"reports",
               {ReportJson("p-1", "a1", "2026-02-01T00:00:00Z", {fp}),
                ReportJson("p-2", "a2", "2026-02-01T00:00:00Z", {"not-a-fingerprint"})}}};
  std::string plain = bad.dump(2);
  std::string escaped = plain;
  escaped.replace(escaped.find("\"p-1\""), 5, "\"p\\u002d1\"");
  Reply a = Call("POST", "/v1/reports:batch", plain, Ingest());
  Reply b = Call("POST", "/v1/reports:batch", escaped, Ingest());
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, b.body);
  EXPECT_NE(a.body.find("reports[1]"), std::string::npos) << a.body;

  json good = {{"reports",
                {ReportJson("q-1", "a1", "2026-02-01T00:00:00Z", {fp}),
                 ReportJson("q-2", "a2", "2026-02-01T00:00:00Z", {fp})}}};
  Reply first = Call("POST", "/v1/reports:batch", good.dump(), Ingest());
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json["ingested"], 2);
  std::string again = good.dump();
  again.replace(again.find("\"q-1\""), 5, "\"q\\u002d1\"");
  Reply second = Call("POST", "/v1/reports:batch", again, Ingest());
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json["duplicates"], 2) << second.body;
}

TEST_F(EngineJsonTest, BadQueryParametersAreNamed) {
  Reply r = Call("GET", "/v1/agents", "", Auditor(), {{"limit", "lots"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("'limit'"), std::string::npos);
  r = Call("GET", "/v1/events", "", Auditor(), {{"limit", "100000"}});
  EXPECT_EQ(r.status, 400);
  r = Call("GET", "/v1/crl", "", Auditor(), {{"format", "xml"}});
  EXPECT_EQ(r.status, 400);
}

// Ids (agent, rollout, gateway) are text: bytes that are not UTF-8 get 400
// naming the field, in a path or a JSON body, for commands and queries alike.
TEST_F(EngineJsonTest, IdsThatAreNotUtf8AreRefusedNamingTheField) {
  const std::string bad =
      "a\xff"
      "b";
  ExpectRefused("POST", "/v1/agents/" + bad + "/revoke", "{}", "agent id is not valid UTF-8");
  ExpectRefused("DELETE", "/v1/agents/" + bad, "", "agent id is not valid UTF-8");
  ExpectRefused("GET", "/v1/agents/" + bad, "", "agent id is not valid UTF-8");
  ExpectRefused("GET", "/v1/agents/" + bad + "/timeline", "", "agent id is not valid UTF-8");
  ExpectRefused("POST", "/v1/agents/" + bad + "/csr", R"({"csr_pem": "x"})",
                "agent id is not valid UTF-8");
  ExpectRefused("POST", "/v1/rollouts/" + bad + "/finalize", "{}", "rollout id is not valid UTF-8");
  ExpectRefused("GET", "/v1/rollouts/" + bad, "", "rollout id is not valid UTF-8");
  ExpectRefused("GET", "/v1/rollouts/" + bad + "/series", "", "rollout id is not valid UTF-8");
  ExpectRefused("PUT", "/v1/gateways/" + bad, R"({"auto_refresh": false})",
                "gateway id is not valid UTF-8");
  ExpectRefused("POST", "/v1/gateways/" + bad + "/refresh", R"({"rollout_id": "r"})",
                "gateway id is not valid UTF-8");
  // In a JSON body the parser refuses it first, naming the position.
  ExpectRefused("POST", "/v1/reports",
                "{\"reportId\": \"r1\", \"agentId\": \"" + bad +
                    "\", \"reportedAt\": \"2026-03-01T00:00:00Z\"}",
                "ill-formed UTF-8");
  ExpectRefused("POST", "/v1/replacements", R"({"rollout_id": "r\ud800"})", "surrogate");
  // Valid UTF-8 is an id like any other.
  EXPECT_EQ(Call("GET", "/v1/agents/ag\xc3\xa9nt-1").status, 404);
}

}  // namespace
}  // namespace rotor::app::testing
