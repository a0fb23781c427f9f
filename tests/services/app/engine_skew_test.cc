// Clock skew through Engine::Handle: a report dated beyond --max-clock-skew
// ahead of the server's clock is answered `rejected` with both times and
// moves nothing; an agent frozen by a future-dated report that an earlier
// version accepted recovers with its next real report.
#include <gtest/gtest.h>

#include <algorithm>

#include "events/codec.h"
#include "events/event_log.h"
#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class EngineSkewTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    SetNow("2026-03-01T00:00:00Z");
    old_ = RegisterServerCert("ns-old.example.com");
    new_ = RegisterServerCert("ns-new.example.com");
    ASSERT_EQ(Report("rep-1", "a1", "2026-02-28T00:00:00Z", {old_}).status, 200);
  }

  // The certificates `agent` holds, sorted.
  static std::vector<std::string> Certificates(const json& agent) {
    auto fps = agent["certificates"].get<std::vector<std::string>>();
    std::sort(fps.begin(), fps.end());
    return fps;
  }
  std::vector<std::string> OldAndNew() const {
    std::vector<std::string> fps = {old_, new_};
    std::sort(fps.begin(), fps.end());
    return fps;
  }

  // The agent as GET /v1/agents/a1 shows it.
  json Agent() {
    Reply agent = Call("GET", "/v1/agents/a1", "", Auditor());
    EXPECT_EQ(agent.status, 200) << agent.body;
    return agent.json;
  }

  std::string old_;
  std::string new_;
};

constexpr char kFutureReason[] =
    "the report is dated 2026-03-11T00:00:00Z, more than 300 seconds ahead of the server's clock "
    "(2026-03-01T00:00:00Z); check the agent's clock";

TEST_F(EngineSkewTest, AReportFromTheFutureIsRejectedAndMovesNothing) {
  Reply r = Report("rep-2", "a1", "2026-03-11T00:00:00Z", {old_, new_});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["disposition"], "rejected");
  EXPECT_EQ(r.json["reason"], kFutureReason);
  ASSERT_EQ(r.json["events"].size(), 1u);
  EXPECT_EQ(r.json["events"][0]["event_type"], "rotor.v1.AgentReportRejected");

  json agent = Agent();
  EXPECT_EQ(agent["certificates"], json::array({old_}));
  EXPECT_EQ(agent["last_report_at"], "2026-02-28T00:00:00Z");
  // The agent's next real report is ingested as usual.
  r = Report("rep-3", "a1", "2026-03-01T00:00:00Z", {old_, new_});
  EXPECT_EQ(r.json["disposition"], "ingested") << r.body;
}

TEST_F(EngineSkewTest, TheBatchRouteRejectsAReportFromTheFuture) {
  json batch = {{"reports",
                 {ReportJson("b-1", "a1", "2026-03-11T00:00:00Z", {old_, new_}),
                  ReportJson("b-2", "a2", "2026-03-01T00:04:00Z", {old_})}}};
  Reply r = CallJson("POST", "/v1/reports:batch", batch, Ingest());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["ingested"], 1) << "within the skew";
  ASSERT_EQ(r.json["rejected"].size(), 1u);
  EXPECT_EQ(r.json["rejected"][0]["report_id"], "b-1");
  EXPECT_EQ(r.json["rejected"][0]["reason"], kFutureReason);
  EXPECT_EQ(Agent()["certificates"], json::array({old_}));
}

TEST_F(EngineSkewTest, TheSkewIsConfigurable) {
  engine_.reset();
  EngineOptions options = Options();
  options.max_clock_skew = std::chrono::days(30);
  engine_ = Engine::Open(options).value();
  Reply r = Report("rep-2", "a1", "2026-03-11T00:00:00Z", {old_, new_});
  EXPECT_EQ(r.json["disposition"], "ingested") << r.body;
}

TEST_F(EngineSkewTest, AnAgentFrozenByAnAcceptedFutureReportRecovers) {
  // An earlier version accepted a report dated ten days ahead: append it as it did.
  AgentInventoryReported future{"rep-f", "a1", At("2026-03-11T00:00:00Z"), {old_}, "", "", false};
  AppendRequest append;
  append.stream_id = "agent-a1";
  append.idempotency_key = "report:rep-f";
  append.events.push_back(MakeNewEvent(future, At("2026-03-01T00:00:00Z"), "agent:a1"));
  ASSERT_TRUE(engine_->log().Append(std::move(append)).ok());
  ASSERT_EQ(Agent()["last_report_at"], "2026-03-11T00:00:00Z");

  Reply r = Report("rep-2", "a1", "2026-03-01T00:00:00Z", {old_, new_});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["disposition"], "ingested")
      << "not 'duplicate': the future report is not trusted";
  EXPECT_EQ(r.json["events"][0]["payload"]["supersedes_future_report"], true) << r.body;
  json agent = Agent();
  EXPECT_EQ(Certificates(agent), OldAndNew());
  EXPECT_EQ(agent["last_report_at"], "2026-03-01T00:00:00Z");

  // The recovery survives a restart (the projections and the domain replay it).
  Reopen();
  EXPECT_EQ(Certificates(Agent()), OldAndNew());
  r = Report("rep-0", "a1", "2026-02-28T12:00:00Z", {old_});
  EXPECT_EQ(r.json["disposition"], "duplicate") << "older than the recovered latest report";
}

}  // namespace
}  // namespace rotor::app::testing
