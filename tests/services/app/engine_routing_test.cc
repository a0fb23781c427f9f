// Engine routing: commands and queries end to end through Engine::Handle,
// read-your-writes, errors as JSON, audit routes, metrics and Watch.
#include <gtest/gtest.h>

#include <thread>

#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class EngineRoutingTest : public EngineFixture {
 protected:
  // Two server-web certificates, three agents holding the old one (one of
  // them also the new one) and a direct replacement "r1".
  void StartReplacement() {
    old_ = RegisterServerCert("ns-2025.example.com");
    new_ = RegisterServerCert("ns-2026.example.com");
    ASSERT_EQ(Report("rep-1", "a1", "2026-02-27T00:00:00Z", {old_}).status, 200);
    ASSERT_EQ(Report("rep-2", "a2", "2026-02-27T00:00:00Z", {old_}).status, 200);
    ASSERT_EQ(Report("rep-3", "a3", "2026-02-27T00:00:00Z", {old_, new_}).status, 200);
    Reply r =
        CallJson("POST", "/v1/replacements",
                 json{{"rollout_id", "r1"}, {"old_fingerprint", old_}, {"new_fingerprint", new_}},
                 Operator());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string old_;
  std::string new_;
};

TEST_F(EngineRoutingTest, ReplacementProgressReadsItsOwnWrites) {
  StartReplacement();
  Reply progress = Call("GET", "/v1/rollouts/r1", "", Auditor());
  ASSERT_EQ(progress.status, 200) << progress.body;
  EXPECT_EQ(progress.json["total"], 3);
  EXPECT_EQ(progress.json["received"], 1);
  EXPECT_EQ(progress.json["outstanding"], 2);
  EXPECT_EQ(progress.json["summary"], "1 of 3 agents received the new certificate");

  ASSERT_EQ(Report("rep-4", "a1", "2026-03-01T00:00:00Z", {old_, new_}).status, 200);
  progress = Call("GET", "/v1/rollouts/r1", "", Auditor());
  EXPECT_EQ(progress.json["received"], 2);

  Reply list = Call("GET", "/v1/rollouts", "", Operator());
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json["rollouts"].size(), 1u);
  EXPECT_EQ(list.json["rollouts"][0]["rollout_id"], "r1");
}

TEST_F(EngineRoutingTest, CommandReturnsItsEventsWithTheActor) {
  old_ = RegisterServerCert("ns-old.example.com");
  new_ = RegisterServerCert("ns-new.example.com");
  Reply r = CallJson("POST", "/v1/replacements",
                     json{{"old_fingerprint", old_}, {"new_fingerprint", new_}, {"mode", "direct"}},
                     Operator());
  ASSERT_EQ(r.status, 200) << r.body;
  std::string rollout = r.json["rollout_id"];
  EXPECT_EQ(rollout.rfind("r-", 0), 0u) << rollout;
  ASSERT_EQ(r.json["events"].size(), 1u);
  const json& event = r.json["events"][0];
  EXPECT_EQ(event["event_type"], "rotor.v1.ReplacementInitiated");
  EXPECT_EQ(event["actor"], "oscar");
  EXPECT_EQ(event["recorded_at"], "2026-03-01T00:00:00Z");
  EXPECT_EQ(event["payload"]["old_fingerprint"], old_);
  EXPECT_EQ(r.json["first_sequence"], r.json["last_sequence"]);

  // A repeat changes nothing and says so.
  Reply again =
      CallJson("POST", "/v1/replacements",
               json{{"rollout_id", rollout}, {"old_fingerprint", old_}, {"new_fingerprint", new_}},
               Operator());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(again.json["events"].empty());
  EXPECT_FALSE(again.json.contains("first_sequence"));
}

TEST_F(EngineRoutingTest, FinalizeIsRefusedWithTheNumbersUnlessForced) {
  StartReplacement();
  uint64_t head = engine_->Head();
  Reply refused = Call("POST", "/v1/rollouts/r1/finalize", "{}", Operator());
  EXPECT_EQ(refused.status, 412) << refused.body;
  EXPECT_EQ(refused.json["error"]["code"], "failed_precondition");
  EXPECT_EQ(refused.json["error"]["details"]["outstanding"], 2);
  EXPECT_EQ(refused.json["error"]["details"]["outstanding_agent_ids"], json({"a1", "a2"}));
  EXPECT_EQ(engine_->Head(), head + 1) << "the attempt is recorded as a CommandRefused";

  Reply forced = CallJson("POST", "/v1/rollouts/r1/finalize",
                          json{{"force", true}, {"reason", "lost laptops"}}, Operator());
  ASSERT_EQ(forced.status, 200) << forced.body;
  Reply progress = Call("GET", "/v1/rollouts/r1", "", Auditor());
  EXPECT_EQ(progress.json["state"], "finalized");
  EXPECT_EQ(progress.json["forced"], true);

  Reply timeline = Call("GET", "/v1/rollouts/r1/timeline", "", Auditor());
  ASSERT_EQ(timeline.status, 200);
  ASSERT_GE(timeline.json["entries"].size(), 2u);
  EXPECT_EQ(timeline.json["entries"].back()["actor"], "oscar");
}

TEST_F(EngineRoutingTest, UnknownThingsAre404AndWrongMethodsAre405) {
  EXPECT_EQ(Call("GET", "/v1/rollouts/nope", "", Auditor()).status, 404);
  EXPECT_EQ(Call("GET", "/v1/agents/nope", "", Auditor()).status, 404);
  EXPECT_EQ(Call("GET", "/v1/nothing-here", "", Admin()).status, 404);
  Reply wrong = Call("DELETE", "/v1/rollouts", "", Admin());
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.json["error"]["code"], "not_found");
  Reply cancel = Call("POST", "/v1/rollouts/nope/cancel", "{}", Operator());
  EXPECT_EQ(cancel.status, 404) << cancel.body;
  EXPECT_EQ(cancel.json["error"]["code"], "not_found");
  // Without a virtual clock the clock route does not exist.
  EXPECT_EQ(CallJson("POST", "/v1/clock", json{{"now", "2027-01-01T00:00:00Z"}}, Admin()).status,
            404);
}

TEST_F(EngineRoutingTest, BatchReportsCountIngestedDuplicatesAndRejected) {
  old_ = RegisterServerCert("ns-old.example.com");
  json batch = {{"reports",
                 {ReportJson("b-1", "a1", "2026-02-28T00:00:00Z", {old_}),
                  ReportJson("b-2", "a2", "2026-02-28T00:00:00Z", {old_}),
                  ReportJson("b-1", "a1", "2026-02-28T00:00:00Z", {old_})}}};
  Reply r = CallJson("POST", "/v1/reports:batch", batch, Ingest());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["ingested"], 2);
  EXPECT_EQ(r.json["duplicates"], 1);
  EXPECT_TRUE(r.json["rejected"].empty());

  ASSERT_EQ(CallJson("POST", "/v1/agents/a2/revoke", json{{"reason_code", 1}}, Operator()).status,
            200);
  json later = {{"reports", {ReportJson("b-3", "a2", "2026-03-01T00:00:00Z", {old_})}}};
  r = CallJson("POST", "/v1/reports:batch", later, Ingest());
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json["rejected"].size(), 1u);
  EXPECT_EQ(r.json["rejected"][0]["report_id"], "b-3");

  Reply agent = Call("GET", "/v1/agents/a2", "", Auditor());
  EXPECT_EQ(agent.json["revoked"], true);
  Reply agents = Call("GET", "/v1/agents", "", Auditor(), {{"limit", "1"}});
  EXPECT_EQ(agents.json["agents"].size(), 1u);
  EXPECT_EQ(agents.json["total"], 2);
}

TEST_F(EngineRoutingTest, StaleSweepFlagsSilentAgentsAtTheClocksTime) {
  StartReplacement();
  SetNow("2026-03-20T00:00:00Z");
  Reply swept = Call("POST", "/v1/sweeps/stale", "{}", Operator());
  ASSERT_EQ(swept.status, 200) << swept.body;
  EXPECT_EQ(swept.json["flagged"], 3);
  EXPECT_EQ(swept.json["threshold_seconds"], 14 * 86400);
  Reply stale = Call("GET", "/v1/stale-agents", "", Auditor());
  EXPECT_EQ(stale.json["count"], 3);
  Reply progress = Call("GET", "/v1/rollouts/r1", "", Auditor());
  EXPECT_EQ(progress.json["stale"], 3);
  EXPECT_EQ(engine_->SweepStale().value(), 0u);  // already flagged
}

TEST_F(EngineRoutingTest, AuditorReadsEventsVerifiesAndReplays) {
  StartReplacement();
  uint64_t initiated = engine_->Head();
  ASSERT_EQ(Report("rep-9", "a2", "2026-03-01T00:00:00Z", {old_, new_}).status, 200);

  Reply events = Call("GET", "/v1/events", "", Auditor(), {{"from", "1"}, {"limit", "2"}});
  ASSERT_EQ(events.status, 200) << events.body;
  ASSERT_EQ(events.json["events"].size(), 2u);
  EXPECT_EQ(events.json["events"][0]["sequence"], 1);
  EXPECT_EQ(events.json["events"][0]["event_type"], "rotor.v1.CertificateRegistered");
  EXPECT_EQ(events.json["next"], 3);
  EXPECT_EQ(events.json["head"], engine_->Head());

  Reply verify = Call("GET", "/v1/verify", "", Auditor());
  ASSERT_EQ(verify.status, 200);
  EXPECT_EQ(verify.json["ok"], true);
  EXPECT_EQ(verify.json["events"], engine_->Head());

  Reply then = Call("GET", "/v1/replay", "", Auditor(), {{"as_of", std::to_string(initiated)}});
  ASSERT_EQ(then.status, 200) << then.body;
  EXPECT_EQ(then.json["rollouts"][0]["received"], 1);
  Reply now = Call("GET", "/v1/replay", "", Auditor(), {{"as_of", "2026-12-31T00:00:00Z"}});
  EXPECT_EQ(now.json["rollouts"][0]["received"], 2);
  EXPECT_EQ(now.json["timelines"]["r1"].size(), 1u);
  EXPECT_EQ(Call("GET", "/v1/replay", "", Auditor(), {{"as_of", "yesterday"}}).status, 400);
}

TEST_F(EngineRoutingTest, ReplayStartsFromTheNearestProjectionSnapshot) {
  auto open = [this] {
    engine_.reset();  // stops the runners after their last commit and snapshot
    EngineOptions options = Options();
    options.snapshot_every_events = 4;
    Result<std::unique_ptr<Engine>> opened = Engine::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    engine_ = std::move(*opened);
  };
  open();
  StartReplacement();  // 6 events
  ASSERT_EQ(Report("rep-9", "a2", "2026-03-01T00:00:00Z", {old_, new_}).status, 200);
  ASSERT_EQ(Report("rep-10", "a4", "2026-03-01T00:00:00Z", {old_}).status, 200);
  ASSERT_EQ(engine_->Head(), 8u);
  open();
  Reply head = Call("GET", "/v1/replay", "", Auditor(), {{"as_of", "8"}});
  ASSERT_EQ(head.status, 200) << head.body;
  EXPECT_EQ(head.json["snapshot_sequence"], 8);
  EXPECT_EQ(head.json["events"], 0);
  EXPECT_EQ(head.json["last_sequence"], 8);
  EXPECT_EQ(head.json["rollouts"][0]["received"], 2);
  EXPECT_EQ(head.json["rollouts"][0]["total"], 4);
  Reply seven = Call("GET", "/v1/replay", "", Auditor(), {{"as_of", "7"}});
  EXPECT_EQ(seven.json["snapshot_sequence"], 4);
  EXPECT_EQ(seven.json["events"], 3);
  EXPECT_EQ(seven.json["rollouts"][0]["received"], 2);
  EXPECT_EQ(seven.json["rollouts"][0]["total"], 3);
}

TEST_F(EngineRoutingTest, MetricsNameTheRequiredSeries) {
  StartReplacement();
  // Metrics never wait for the projections (lag is what they measure).
  ASSERT_TRUE(engine_->WaitForProjections(engine_->Head(), std::chrono::seconds(30)));
  Reply metrics = Call("GET", "/metrics", "", Auditor());
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type.rfind("text/plain", 0), 0u);
  for (const char* name :
       {"rotor_events_appended_total", "rotor_append_latency_seconds_bucket",
        "rotor_projection_lag_events{projection=\"fleet\"}", "rotor_projection_lag_seconds",
        "rotor_rollouts{state=\"distributing\"} 1", "rotor_stale_agents 0",
        "rotor_projection_lag_seconds{projection=\"audit\"} 0", "rotor_log_head_sequence"}) {
    EXPECT_NE(metrics.body.find(name), std::string::npos) << name << "\n" << metrics.body;
  }
  Reply health = Call("GET", "/healthz", "", Principal{});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
}

TEST_F(EngineRoutingTest, WatchReportsEachRolloutThenItsChanges) {
  StartReplacement();
  std::vector<json> seen;
  std::mutex mu;
  std::condition_variable cv;
  std::thread watcher([&] {
    Status s = engine_->Watch(Auditor(), [&](const std::string& text) {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(json::parse(text));
      cv.notify_all();
      return seen.size() < 2;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen.size() >= 1; }));
  }
  ASSERT_EQ(Report("rep-5", "a2", "2026-03-01T00:00:00Z", {old_, new_}).status, 200);
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen.size() >= 2; }));
  }
  watcher.join();
  EXPECT_EQ(seen[0]["received"], 1);
  EXPECT_EQ(seen[1]["received"], 2);
  EXPECT_EQ(engine_->Watch(AgentRole(), [](const std::string&) { return false; }).code(),
            StatusCode::kPermissionDenied);
}

TEST_F(EngineRoutingTest, QueriesSurviveAReopen) {
  StartReplacement();
  Reopen();
  Reply progress = Call("GET", "/v1/rollouts/r1", "", Auditor());
  ASSERT_EQ(progress.status, 200);
  EXPECT_EQ(progress.json["total"], 3);
  Reply certificates = Call("GET", "/v1/certificates", "", Auditor());
  EXPECT_EQ(certificates.json["certificates"].size(), 2u);
  Reply due = Call("GET", "/v1/certificates", "", Auditor(), {{"due_within_days", "30"}});
  EXPECT_TRUE(due.json["certificates"].empty());
}

}  // namespace
}  // namespace rotor::app::testing
