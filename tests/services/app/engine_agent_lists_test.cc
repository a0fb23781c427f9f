// The console's API additions through Engine::Handle: GET /v1/whoami and the
// server-side paged, filtered agent lists (GET /v1/agents with filters,
// GET /v1/rollouts/{id}/agents) and an agent's timeline; each of them, and
// the other read routes the console shows, as of a moment (`as_of`).
#include <gtest/gtest.h>

#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class AgentListsTest : public EngineFixture {
 protected:
  // Six agents hold the old certificate (a0..a5; a0 and a1 also the new
  // one), on gateways g0/g1 and sites s0/s1/s2; b0 holds neither. Rollout
  // "r1" replaces old; then a4 and a5, silent for 9 days, are flagged stale.
  void SetUp() override {
    EngineFixture::SetUp();
    old_ = RegisterServerCert("old.example.com");
    new_ = RegisterServerCert("new.example.com");
    SetNow("2026-03-10T00:00:00Z");
    for (int i = 0; i < 6; ++i) {
      std::string id = "a" + std::to_string(i);
      const char* at = i >= 4 ? "2026-03-01T00:00:00Z" : "2026-03-09T00:00:00Z";
      std::vector<std::string> fps = {old_};
      if (i < 2) fps.push_back(new_);
      ASSERT_EQ(Report("rep-" + id, id, at, fps, false, "g" + std::to_string(i % 2),
                       "s" + std::to_string(i % 3))
                    .status,
                200);
    }
    ASSERT_EQ(Report("rep-b0", "b0", "2026-03-09T00:00:00Z", {}, false, "g0", "s0").status, 200);
    Reply r =
        CallJson("POST", "/v1/replacements",
                 json{{"rollout_id", "r1"}, {"old_fingerprint", old_}, {"new_fingerprint", new_}},
                 Operator());
    ASSERT_EQ(r.status, 200) << r.body;
    Reply swept = CallJson("POST", "/v1/sweeps/stale", json{{"threshold_seconds", 86400 * 3}});
    ASSERT_EQ(swept.json["flagged"], 2) << swept.body;
  }

  static std::vector<std::string> Ids(const Reply& r) {
    std::vector<std::string> ids;
    for (const json& a : r.json["agents"]) ids.push_back(a["agent_id"]);
    return ids;
  }

  std::string old_;
  std::string new_;
};

TEST_F(AgentListsTest, WhoAmINamesThePrincipalAndRole) {
  Reply r = Call("GET", "/v1/whoami", "", Auditor());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["name"], Auditor().name);
  EXPECT_EQ(r.json["role"], "auditor");
  EXPECT_EQ(Call("GET", "/v1/whoami", "", AgentRole()).json["role"], "agent");
}

TEST_F(AgentListsTest, RolloutListsOutstandingAndStaleAgentsPageByPage) {
  Reply outstanding = Call("GET", "/v1/rollouts/r1/agents", "", Auditor(), {{"limit", "3"}});
  ASSERT_EQ(outstanding.status, 200) << outstanding.body;
  EXPECT_EQ(outstanding.json["total"], 4);
  EXPECT_EQ(Ids(outstanding), (std::vector<std::string>{"a2", "a3", "a4"}));
  Reply next =
      Call("GET", "/v1/rollouts/r1/agents", "", Auditor(), {{"limit", "3"}, {"offset", "3"}});
  EXPECT_EQ(Ids(next), (std::vector<std::string>{"a5"}));
  EXPECT_EQ(next.json["total"], 4);

  Reply stale = Call("GET", "/v1/rollouts/r1/agents", "", Operator(), {{"status", "stale"}});
  EXPECT_EQ(Ids(stale), (std::vector<std::string>{"a4", "a5"}));
  Reply counted = Call("GET", "/v1/rollouts/r1/agents", "", Operator(), {{"status", "counted"}});
  EXPECT_EQ(counted.json["total"], 6);
}

TEST_F(AgentListsTest, FiltersByGatewaySitePrefixAndFlags) {
  Reply g1 = Call("GET", "/v1/rollouts/r1/agents", "", Auditor(), {{"gateway", "g1"}});
  EXPECT_EQ(Ids(g1), (std::vector<std::string>{"a3", "a5"}));
  Reply s2 = Call("GET", "/v1/agents", "", Auditor(), {{"site", "s2"}});
  EXPECT_EQ(Ids(s2), (std::vector<std::string>{"a2", "a5"}));
  Reply prefix = Call("GET", "/v1/agents", "", Auditor(), {{"prefix", "b"}});
  EXPECT_EQ(Ids(prefix), (std::vector<std::string>{"b0"}));
  Reply stale = Call("GET", "/v1/agents", "", Auditor(), {{"stale", "true"}});
  EXPECT_EQ(Ids(stale), (std::vector<std::string>{"a4", "a5"}));
  Reply live = Call("GET", "/v1/agents", "", Auditor(), {{"stale", "false"}, {"gateway", "g0"}});
  EXPECT_EQ(Ids(live), (std::vector<std::string>{"a0", "a2", "b0"}));
  Reply unknown = Call("GET", "/v1/agents", "", Auditor(), {{"gateway", "nowhere"}});
  EXPECT_EQ(unknown.json["total"], 0);
  Reply all = Call("GET", "/v1/agents", "", Auditor());
  EXPECT_EQ(all.json["total"], 7);
}

TEST_F(AgentListsTest, BadParametersAreRefusedByName) {
  Reply r = Call("GET", "/v1/agents", "", Auditor(), {{"color", "red"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("'color'"), std::string::npos);
  r = Call("GET", "/v1/agents", "", Auditor(), {{"status", "stale"}});
  EXPECT_EQ(r.status, 400) << "status only applies to a rollout's list";
  r = Call("GET", "/v1/agents", "", Auditor(), {{"stale", "yes"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("'stale'"), std::string::npos);
  r = Call("GET", "/v1/rollouts/r1/agents", "", Auditor(), {{"status", "late"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json["error"]["message"].get<std::string>().find("'status'"), std::string::npos);
  r = Call("GET", "/v1/rollouts/r1/agents", "", Auditor(), {{"limit", "10001"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Call("GET", "/v1/rollouts/nope/agents", "", Auditor()).status, 404);
  EXPECT_EQ(Call("GET", "/v1/rollouts/r1/agents", "", AgentRole()).status, 403);
}

TEST_F(AgentListsTest, AgentTimelineShowsItsReportsFlagsAndRevocation) {
  ASSERT_EQ(CallJson("POST", "/v1/agents/a4/revoke", json{{"reason_code", 1}}).status, 200);
  Reply r = Call("GET", "/v1/agents/a4/timeline", "", Auditor());
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> types;
  for (const json& e : r.json["entries"]) types.push_back(e["event_type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"rotor.v1.AgentInventoryReported",
                                             "rotor.v1.AgentFlaggedStale",
                                             "rotor.v1.CertificateRevoked"}));
  EXPECT_EQ(r.json["events_total"], 3);
  Reply last = Call("GET", "/v1/agents/a4/timeline", "", Auditor(), {{"limit", "1"}});
  ASSERT_EQ(last.json["entries"].size(), 1u);
  EXPECT_EQ(last.json["entries"][0]["event_type"], "rotor.v1.CertificateRevoked");
  EXPECT_EQ(Call("GET", "/v1/agents/nobody/timeline", "", Auditor()).status, 404);
  EXPECT_EQ(Call("GET", "/v1/agents/a4/timeline", "", Auditor(), {{"from", "1"}}).status, 400);
}

TEST_F(AgentListsTest, SeriesSamplesReceivedAgainstLogTime) {
  SetNow("2026-03-11T00:00:00Z");
  ASSERT_EQ(Report("rep-a2-new", "a2", "2026-03-10T12:00:00Z", {old_, new_}).status, 200);
  SetNow("2026-03-12T00:00:00Z");
  ASSERT_EQ(Report("rep-a3-new", "a3", "2026-03-11T12:00:00Z", {old_, new_}).status, 200);
  Reply r = Call("GET", "/v1/rollouts/r1/series", "", Operator(), {{"points", "3"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json& s = r.json["samples"];
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0]["at"], "2026-03-10T00:00:00Z");
  EXPECT_EQ(s[0]["received"], 2);
  EXPECT_EQ(s[0]["stale"], 2);
  EXPECT_EQ(s[1]["at"], "2026-03-11T00:00:00Z");
  EXPECT_EQ(s[1]["received"], 3);
  EXPECT_EQ(s[2]["at"], "2026-03-12T00:00:00Z");
  EXPECT_EQ(s[2]["received"], 4);
  EXPECT_EQ(s[2]["total"], 6);
  EXPECT_EQ(s[2]["sequence"], engine_->Head());
  EXPECT_EQ(Call("GET", "/v1/rollouts/r1/series", "", Operator(), {{"points", "1"}}).status, 400);
  EXPECT_EQ(Call("GET", "/v1/rollouts/r1/series", "", Operator(), {{"from", "1"}}).status, 400);
  EXPECT_EQ(Call("GET", "/v1/rollouts/nope/series", "", Operator()).status, 404);
}

// The sequence just before the sweep's stale flags (the fixture's last events).
uint64_t BeforeTheSweep(const Reply& events) {
  for (const json& e : events.json["events"]) {
    if (e["event_type"] == "rotor.v1.AgentFlaggedStale") return e["sequence"].get<uint64_t>() - 1;
  }
  return 0;
}

TEST_F(AgentListsTest, EveryReadRouteAnswersAsOfAMomentWithTheReplaysNumbers) {
  uint64_t before = BeforeTheSweep(Call("GET", "/v1/events", "", Auditor(), {{"limit", "1000"}}));
  ASSERT_GT(before, 0u);
  const std::map<std::string, std::string> then = {{"as_of", std::to_string(before)}};
  auto with = [&](std::map<std::string, std::string> query) {
    query.insert(then.begin(), then.end());
    return query;
  };
  Reply replay = Call("GET", "/v1/replay", "", Auditor(), then);
  ASSERT_EQ(replay.status, 200) << replay.body;
  const json& r1 = replay.json["rollouts"][0];
  EXPECT_EQ(r1["stale"], 0) << "nobody was stale before the sweep";

  Reply outstanding = Call("GET", "/v1/rollouts/r1/agents", "", Auditor(), then);
  ASSERT_EQ(outstanding.status, 200) << outstanding.body;
  EXPECT_EQ(outstanding.json["total"], r1["outstanding"]);
  EXPECT_EQ(Ids(outstanding), (std::vector<std::string>{"a2", "a3", "a4", "a5"}));
  EXPECT_EQ(outstanding.json["as_of"], std::to_string(before));
  Reply stale = Call("GET", "/v1/rollouts/r1/agents", "", Auditor(), with({{"status", "stale"}}));
  EXPECT_EQ(stale.json["total"], 0) << stale.body;
  EXPECT_EQ(Call("GET", "/v1/agents", "", Auditor(), with({{"stale", "true"}})).json["total"], 0);
  EXPECT_EQ(Call("GET", "/v1/agents", "", Auditor(), {{"stale", "true"}}).json["total"], 2)
      << "and now they are";
  EXPECT_EQ(Call("GET", "/v1/rollouts/r1", "", Auditor(), then).json["stale"], 0);
  EXPECT_EQ(Call("GET", "/v1/stale-agents", "", Auditor(), then).json["count"], 0);
  EXPECT_EQ(Call("GET", "/v1/agents/a4", "", Auditor(), then).json["stale"], false);
  Reply a4 = Call("GET", "/v1/agents/a4/timeline", "", Auditor(), then);
  EXPECT_EQ(a4.json["events_total"], 1) << a4.body;
  ASSERT_EQ(a4.json["entries"].size(), 1u) << a4.body;
  EXPECT_EQ(a4.json["entries"][0]["event_type"], "rotor.v1.AgentInventoryReported");
  EXPECT_EQ(Call("GET", "/v1/agents/a4/timeline", "", Auditor()).json["events_total"], 2);
  Reply series = Call("GET", "/v1/rollouts/r1/series", "", Auditor(), with({{"points", "2"}}));
  ASSERT_EQ(series.status, 200) << series.body;
  EXPECT_EQ(series.json["samples"][1]["stale"], 0);
  EXPECT_EQ(series.json["samples"][1]["received"], r1["received"]);
  EXPECT_EQ(series.json["samples"][1]["sequence"], before);
  EXPECT_EQ(series.json["snapshot_sequence"], 0);
  EXPECT_EQ(Call("GET", "/v1/rollouts", "", Auditor(), then).json["rollouts"].size(), 1u);
  EXPECT_EQ(Call("GET", "/v1/rollouts/r1/timeline", "", Auditor(), then).status, 200);
  EXPECT_EQ(Call("GET", "/v1/certificates", "", Auditor(), then).json["certificates"].size(), 2u);
  Reply stream = Call("GET", "/v1/stream", "", Auditor(), then);
  EXPECT_EQ(stream.status, 400) << "the live stream has no past: " << stream.body;
  Reply early = Call("GET", "/v1/rollouts/r1", "", Auditor(), {{"as_of", "1"}});
  EXPECT_EQ(early.status, 404) << "the rollout did not exist yet: " << early.body;
}

TEST_F(AgentListsTest, AsOfIsForAdminAndAuditorAndMustBeWellFormed) {
  Reply op = Call("GET", "/v1/rollouts/r1/agents", "", Operator(), {{"as_of", "3"}});
  EXPECT_EQ(op.status, 403);
  EXPECT_NE(op.body.find("'as_of'"), std::string::npos) << op.body;
  EXPECT_EQ(Call("GET", "/v1/rollouts", "", Admin(), {{"as_of", "3"}}).status, 200);
  for (const char* bad : {"yesterday", "", "2026-13-01T00:00:00Z"}) {
    Reply r = Call("GET", "/v1/agents", "", Auditor(), {{"as_of", bad}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("'as_of'"), std::string::npos) << r.body;
  }
}

}  // namespace
}  // namespace rotor::app::testing
