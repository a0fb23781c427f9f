// Refused lifecycle commands through Engine::Handle: a finalize refused while
// agents are outstanding keeps its 412 answer, and is recorded as a
// CommandRefused event, listed in the rollout's timeline and counted in the
// metrics. Malformed input and unknown ids are not recorded.
#include <gtest/gtest.h>

#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

constexpr char kRefusedMetric[] = "rotor_commands_refused_total{command=\"FinalizeReplacement\"} ";

class EngineRefusedTest : public EngineFixture {
 protected:
  // Direct replacement r1 of an old by a new certificate; a1 and a2 hold only
  // the old one, a3 both.
  void SetUp() override {
    EngineFixture::SetUp();
    SetNow("2026-03-01T00:00:00Z");
    std::string old_fp = RegisterServerCert("ns-old.example.com");
    std::string new_fp = RegisterServerCert("ns-new.example.com");
    ASSERT_EQ(Report("rep-1", "a1", "2026-02-27T00:00:00Z", {old_fp}).status, 200);
    ASSERT_EQ(Report("rep-2", "a2", "2026-02-27T00:00:00Z", {old_fp}).status, 200);
    ASSERT_EQ(Report("rep-3", "a3", "2026-02-27T00:00:00Z", {old_fp, new_fp}).status, 200);
    Reply r = CallJson(
        "POST", "/v1/replacements",
        json{{"rollout_id", "r1"}, {"old_fingerprint", old_fp}, {"new_fingerprint", new_fp}},
        Operator());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  json Timeline() {
    Reply timeline = Call("GET", "/v1/rollouts/r1/timeline", "", Auditor());
    EXPECT_EQ(timeline.status, 200) << timeline.body;
    return timeline.json["entries"];
  }
};

TEST_F(EngineRefusedTest, ARefusedFinalizeIsRecordedTimelinedAndCountedWithTheSameAnswer) {
  uint64_t head = engine_->Head();
  Reply refused = CallJson("POST", "/v1/rollouts/r1/finalize", json::object(), Operator());
  ASSERT_EQ(refused.status, 412) << refused.body;
  EXPECT_EQ(refused.json["error"]["code"], "failed_precondition");
  const std::string message = refused.json["error"]["message"];
  EXPECT_EQ(message.rfind("rollout r1: 2 of 3 agents have not received the new certificate", 0), 0u)
      << message;
  EXPECT_EQ(refused.json["error"]["details"]["outstanding"], 2);

  EXPECT_EQ(engine_->Head(), head + 1) << "the attempt is recorded";
  Reply events = Call("GET", "/v1/events", "", Auditor(),
                      {{"from", std::to_string(head + 1)}, {"limit", "1"}});
  ASSERT_EQ(events.status, 200) << events.body;
  ASSERT_EQ(events.json["events"].size(), 1u) << events.body;
  const json& event = events.json["events"][0];
  EXPECT_EQ(event["event_type"], "rotor.v1.CommandRefused");
  EXPECT_EQ(event["stream_id"], "rollout-r1");
  EXPECT_EQ(event["actor"], "oscar");
  EXPECT_EQ(event["payload"]["command"], "FinalizeReplacement");
  EXPECT_EQ(event["payload"]["reason"], message);

  json entries = Timeline();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back()["action"], "finalize refused");
  EXPECT_EQ(entries.back()["actor"], "oscar");
  EXPECT_EQ(entries.back()["detail"], message);
  EXPECT_EQ(Metric(kRefusedMetric), 1);

  // A second attempt is a second record; the answer does not change.
  Reply again = CallJson("POST", "/v1/rollouts/r1/finalize", json::object(), Operator());
  EXPECT_EQ(again.status, 412);
  EXPECT_EQ(again.json["error"]["message"], message);
  EXPECT_EQ(Metric(kRefusedMetric), 2);
  EXPECT_EQ(Timeline().size(), entries.size() + 1);
}

TEST_F(EngineRefusedTest, MalformedInputAndUnknownIdsAreNotRecorded) {
  uint64_t head = engine_->Head();
  size_t entries = Timeline().size();
  EXPECT_EQ(CallJson("POST", "/v1/rollouts/r1/finalize", json{{"force", true}}, Operator()).status,
            400);
  EXPECT_EQ(CallJson("POST", "/v1/rollouts/r9/finalize", json::object(), Operator()).status, 404);
  EXPECT_EQ(CallJson("POST", "/v1/rollouts/r1/finalize", json::object(), Auditor()).status, 403);
  EXPECT_EQ(engine_->Head(), head);
  EXPECT_EQ(Timeline().size(), entries);
  EXPECT_EQ(Metric(kRefusedMetric), -1);
}

TEST_F(EngineRefusedTest, ARefusedCancelOfAFinalizedRolloutIsRecorded) {
  Reply forced = CallJson("POST", "/v1/rollouts/r1/finalize",
                          json{{"force", true}, {"reason", "change window"}}, Operator());
  ASSERT_EQ(forced.status, 200) << forced.body;
  Reply cancel = CallJson("POST", "/v1/rollouts/r1/cancel", json{{"reason", "oops"}}, Operator());
  EXPECT_EQ(cancel.status, 412) << cancel.body;
  EXPECT_EQ(Timeline().back()["action"], "cancel refused");
  EXPECT_EQ(Metric("rotor_commands_refused_total{command=\"CancelReplacement\"} "), 1);
}

}  // namespace
}  // namespace rotor::app::testing
