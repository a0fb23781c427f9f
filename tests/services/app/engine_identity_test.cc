// Trust model over the Engine (docs/api.md, "Trust model"): an agent
// principal speaks only for its own agent; the ingest role reports for any
// agent; every event's actor is the authenticated principal, never a name
// taken from the payload; refusals append nothing.
#include <gtest/gtest.h>

#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class EngineIdentityTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    fingerprint_ = RegisterServerCert("ns.example.com");
  }
  json ReportOf(const std::string& report_id, const std::string& agent_id) {
    return ReportJson(report_id, agent_id, "2026-02-27T00:00:00Z", {fingerprint_});
  }
  // The actor of the event at `sequence`.
  std::string ActorAt(uint64_t sequence) {
    Reply events = Call("GET", "/v1/events", "", Auditor(), {{"from", std::to_string(sequence)}});
    EXPECT_EQ(events.status, 200) << events.body;
    if (events.status != 200 || events.json["events"].empty()) return "";
    return events.json["events"][0]["actor"].get<std::string>();
  }
  static void ExpectNamesBoth(const Reply& reply, const std::string& a, const std::string& b) {
    EXPECT_EQ(reply.status, 403) << reply.body;
    EXPECT_EQ(reply.json["error"]["code"], "permission_denied") << reply.body;
    std::string message = reply.json["error"]["message"].get<std::string>();
    EXPECT_NE(message.find("agent " + a), std::string::npos) << message;
    EXPECT_NE(message.find("agent " + b), std::string::npos) << message;
  }
  std::string fingerprint_;
};

TEST_F(EngineIdentityTest, AnAgentMayNotReportForAnotherAgent) {
  uint64_t head = engine_->Head();
  Reply refused = CallJson("POST", "/v1/reports", ReportOf("rep-1", "a2"), AgentOf("a1"));
  ExpectNamesBoth(refused, "a1", "a2");
  EXPECT_EQ(engine_->Head(), head) << "a refused report appends nothing";
  Reply own = CallJson("POST", "/v1/reports", ReportOf("rep-2", "a1"), AgentOf("a1"));
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(engine_->Head(), head + 1);
}

TEST_F(EngineIdentityTest, OneForeignReportRefusesTheWholeBatch) {
  uint64_t head = engine_->Head();
  json batch = {
      {"reports", {ReportOf("rep-1", "a1"), ReportOf("rep-2", "a1"), ReportOf("rep-3", "a9")}}};
  Reply refused = CallJson("POST", "/v1/reports:batch", batch, AgentOf("a1"));
  ExpectNamesBoth(refused, "a1", "a9");
  EXPECT_NE(refused.json["error"]["message"].get<std::string>().find("reports[2]"),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(engine_->Head(), head) << "not even the agent's own reports were appended";
}

TEST_F(EngineIdentityTest, AnAgentMayNotAskForACertificateForAnotherAgent) {
  uint64_t head = engine_->Head();
  Reply refused = CallJson("POST", "/v1/agents/a2/csr", json{{"csr", "not read"}}, AgentOf("a1"));
  ExpectNamesBoth(refused, "a1", "a2");
  EXPECT_EQ(engine_->Head(), head);
}

TEST_F(EngineIdentityTest, AnAgentPrincipalBoundToNoAgentSpeaksForNone) {
  Principal unbound{"stray", Role::kAgent, ""};
  Reply refused = CallJson("POST", "/v1/reports", ReportOf("rep-1", "a1"), unbound);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("bound to no agent"), std::string::npos) << refused.body;
}

TEST_F(EngineIdentityTest, TheActorIsThePrincipalNotTheAgentIdOfThePayload) {
  ASSERT_EQ(CallJson("POST", "/v1/reports", ReportOf("rep-1", "a1"), AgentOf("a1")).status, 200);
  EXPECT_EQ(ActorAt(engine_->Head()), "agent-a1");
  ASSERT_EQ(CallJson("POST", "/v1/reports", ReportOf("rep-2", "a2"), Ingest()).status, 200);
  EXPECT_EQ(ActorAt(engine_->Head()), "gateway-relay");
  ASSERT_EQ(CallJson("POST", "/v1/reports", ReportOf("rep-3", "a3"), Operator()).status, 200);
  EXPECT_EQ(ActorAt(engine_->Head()), "oscar");
  Reply events = Call("GET", "/v1/events", "", Auditor(), {{"from", "1"}});
  for (const json& e : events.json["events"]) {
    EXPECT_EQ(e["actor"].get<std::string>().rfind("agent:", 0), std::string::npos) << e.dump();
  }
}

TEST_F(EngineIdentityTest, IngestReportsForAnyAgentInOneBatch) {
  uint64_t head = engine_->Head();
  json batch = {
      {"reports", {ReportOf("rep-1", "a1"), ReportOf("rep-2", "a2"), ReportOf("rep-3", "a3")}}};
  Reply ok = CallJson("POST", "/v1/reports:batch", batch, Ingest());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json["ingested"], 3);
  EXPECT_EQ(engine_->Head(), head + 3);
  for (uint64_t s = head + 1; s <= head + 3; ++s) EXPECT_EQ(ActorAt(s), "gateway-relay");
}

// A batch's commands are counted one by one, though the metrics add them up
// once per (command, outcome).
TEST_F(EngineIdentityTest, MetricsCountEveryReportOfABatch) {
  double timed = Metric("\nrotor_append_latency_seconds_count ");
  double events = Metric("\nrotor_events_appended_total ");
  json batch = {
      {"reports", {ReportOf("rep-1", "a1"), ReportOf("rep-2", "a2"), ReportOf("rep-1", "a1")}}};
  ASSERT_EQ(CallJson("POST", "/v1/reports:batch", batch, Ingest()).status, 200);
  EXPECT_EQ(Metric("rotor_commands_total{command=\"IngestAgentReport\",outcome=\"appended\"} "), 2);
  EXPECT_EQ(Metric("rotor_commands_total{command=\"IngestAgentReport\",outcome=\"noop\"} "), 1);
  EXPECT_EQ(Metric("\nrotor_append_latency_seconds_count "), timed + 2);
  EXPECT_EQ(Metric("\nrotor_events_appended_total "), events + 2);
}

TEST_F(EngineIdentityTest, IngestMayOnlyReport) {
  uint64_t head = engine_->Head();
  EXPECT_EQ(CallJson("POST", "/v1/agents/a1/revoke", json{{"reason", 1}}, Ingest()).status, 403);
  EXPECT_EQ(CallJson("POST", "/v1/agents/a1/csr", json{{"csr", "x"}}, Ingest()).status, 403);
  EXPECT_EQ(Call("GET", "/v1/agents", "", Ingest()).status, 403);
  EXPECT_EQ(Call("GET", "/v1/events", "", Ingest()).status, 403);
  EXPECT_EQ(engine_->Head(), head);
}

}  // namespace
}  // namespace rotor::app::testing
