// IngestAgentReport: Given / When / Then.
#include "services/domain/progress.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

class IngestAgentReportTest : public DeciderTest {
 protected:
  static IngestAgentReport Ingest(AgentReport report) {
    return {std::move(report), T0(), "relay-1"};
  }
  const std::string& kOld = WebOld().fingerprint;
  const std::string& kNew = WebNew().fingerprint;
};

TEST_F(IngestAgentReportTest, RecordsTheAgentsInventory) {
  AgentReport r = Report("rep-1", "a1", Day(-1), {kOld}, "gw1", true);
  When(Ingest(r));
  ThenEvents({Reported(r)});
  ASSERT_EQ(Decided().appends.size(), 1u);
  EXPECT_EQ(Decided().appends[0].stream_id, "agent-a1");
  EXPECT_EQ(Decided().appends[0].idempotency_key, "report:rep-1");
  EXPECT_EQ(Decided().actor, "relay-1") << "the principal that delivered it, not the agent id";
  Apply();
  const AgentState* a = state_.FindAgent("a1");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(state_.Holds(*a, state_.fingerprints.Find(kOld)));
  EXPECT_EQ(state_.GatewayOf(*a), "gw1");
  EXPECT_TRUE(a->cloud_enabled);
  EXPECT_NE(state_.FindGateway("gw1"), nullptr) << "a gateway agents report through is known";
}

TEST_F(IngestAgentReportTest, ARepeatedReportIdIsANoOp) {
  AgentReport r = Report("rep-1", "a1", Day(-1), {kOld});
  Given({Reported(r)});
  When(Ingest(r));
  ThenNoEvents();
}

TEST_F(IngestAgentReportTest, RepeatingAReportChangesNothing) {
  When(Ingest(Report("rep-1", "a1", Day(-1), {kOld})));
  ThenRepeatingChangesNothing();
}

TEST_F(IngestAgentReportTest, AnOlderReportDoesNotOverwriteNewerInventory) {
  Given({Reported("rep-2", "a1", Day(-1), {kOld, kNew})});
  When(Ingest(Report("rep-1", "a1", Day(-2), {kOld})));
  ThenNoEvents();
  EXPECT_TRUE(state_.Holds(*state_.FindAgent("a1"), state_.fingerprints.Find(kNew)));
}

TEST_F(IngestAgentReportTest, EvolveIgnoresAnOlderReportFoundInTheLog) {
  Given({Reported("rep-2", "a1", Day(-1), {kOld, kNew}), Reported("rep-1", "a1", Day(-2), {kOld})});
  const AgentState* a = state_.FindAgent("a1");
  EXPECT_EQ(a->last_report_at, Day(-1));
  EXPECT_TRUE(state_.Holds(*a, state_.fingerprints.Find(kNew)));
}

TEST_F(IngestAgentReportTest, ANewerReportReplacesTheInventory) {
  Given({Reported("rep-1", "a1", Day(-2), {kOld})});
  AgentReport r = Report("rep-2", "a1", Day(-1), {kOld, kNew});
  When(Ingest(r));
  ThenEvents({Reported(r)});
  Apply();
  EXPECT_TRUE(state_.Holds(*state_.FindAgent("a1"), state_.fingerprints.Find(kNew)));
}

TEST_F(IngestAgentReportTest, ANewerReportClearsTheStaleFlag) {
  Given({Reported("rep-1", "a1", Day(-20), {kOld}),
         AgentFlaggedStale{"a1", Day(-20), Day(-1), 86400}});
  AgentReport r = Report("rep-2", "a1", T0(), {kOld});
  When(Ingest(r));
  ThenEvents({Reported(r), AgentStaleCleared{"a1", "rep-2", T0()}});
  Apply();
  EXPECT_FALSE(state_.FindAgent("a1")->stale);
}

TEST_F(IngestAgentReportTest, AnOlderReportLeavesTheStaleFlag) {
  Given({Reported("rep-2", "a1", Day(-20), {kOld}),
         AgentFlaggedStale{"a1", Day(-20), Day(-1), 86400}});
  When(Ingest(Report("rep-1", "a1", Day(-30), {kOld})));
  ThenNoEvents();
  EXPECT_TRUE(state_.FindAgent("a1")->stale);
}

TEST_F(IngestAgentReportTest, AReportFromARevokedAgentIsRejectedAndRecorded) {
  Given({Reported("rep-1", "a1", Day(-2), {kOld}), CertificateRevoked{"a1", "", 1, "", Day(-1)}});
  AgentReport r = Report("rep-2", "a1", T0(), {kOld, kNew});
  When(Ingest(r));
  ThenEvents({AgentReportRejected{"rep-2", "a1", T0(),
                                  "the CEM certificate of agent a1 was revoked at "
                                  "2026-10-31T00:00:00Z (reason 1 keyCompromise); a revoked "
                                  "agent cannot get in"}});
  EXPECT_EQ(Decided().appends[0].idempotency_key, "report:rep-2");
  Apply();
  EXPECT_FALSE(state_.Holds(*state_.FindAgent("a1"), state_.fingerprints.Find(kNew)))
      << "a rejected report changes no inventory";
}

TEST_F(IngestAgentReportTest, RepeatingARejectedReportChangesNothing) {
  Given({Reported("rep-1", "a1", Day(-2), {kOld}), CertificateRevoked{"a1", "", 1, "", Day(-1)}});
  When(Ingest(Report("rep-2", "a1", T0(), {kOld})));
  ThenRepeatingChangesNothing();
}

TEST_F(IngestAgentReportTest, ADeletedAgentThatReportsAgainCountsAgain) {
  Given({WebReplacement("r1"), Reported("rep-1", "a1", Day(-2), {kOld}),
         AgentResourceDeleted{"a1", "retired"}});
  EXPECT_EQ(ComputeProgress(state_, *state_.FindRollout("r1")).total, 0u);
  When(Ingest(Report("rep-2", "a1", T0(), {kOld})));
  Apply();
  EXPECT_FALSE(state_.FindAgent("a1")->deleted);
  EXPECT_EQ(ComputeProgress(state_, *state_.FindRollout("r1")).total, 1u);
}

TEST_F(IngestAgentReportTest, RefusesAFingerprintThatIsNotSha256Hex) {
  When(Ingest(Report("rep-1", "a1", T0(), {"ABC"})));
  ThenError(StatusCode::kInvalidArgument,
            "agent report rep-1: certificate 'ABC' is not a SHA-256 fingerprint (64 lower-case "
            "hex digits)");
}

TEST_F(IngestAgentReportTest, RefusesAnEmptyAgentId) {
  When(Ingest(Report("rep-1", "", T0(), {kOld})));
  ThenError(StatusCode::kInvalidArgument, "agent report rep-1: agent id is empty");
}

TEST_F(IngestAgentReportTest, RefusesAnEmptyReportId) {
  When(Ingest(Report("", "a1", T0(), {kOld})));
  ThenError(StatusCode::kInvalidArgument, "agent report id is empty");
}

// Clock skew: reports dated ahead of the server's clock (T0 here).

TEST_F(IngestAgentReportTest, AReportFromTheFutureIsRejectedNamingBothTimes) {
  Given({Reported("rep-1", "a1", Day(-1), {kOld})});
  AgentReport r = Report("rep-2", "a1", Day(10), {kOld, kNew});
  When(Ingest(r));
  ThenEvents({AgentReportRejected{"rep-2", "a1", Day(10),
                                  "the report is dated 2026-11-11T00:00:00Z, more than 300 "
                                  "seconds ahead of the server's clock (2026-11-01T00:00:00Z); "
                                  "check the agent's clock"}});
  EXPECT_EQ(Decided().appends[0].stream_id, "agent-a1");
  EXPECT_EQ(Decided().appends[0].idempotency_key, "report:rep-2");
  Apply();
  const AgentState* a = state_.FindAgent("a1");
  EXPECT_FALSE(state_.Holds(*a, state_.fingerprints.Find(kNew))) << "the inventory does not move";
  EXPECT_EQ(a->last_report_at, Day(-1)) << "the latest report does not move";
}

TEST_F(IngestAgentReportTest, RepeatingAReportFromTheFutureChangesNothing) {
  When(Ingest(Report("rep-1", "a1", Day(10), {kOld})));
  ThenRepeatingChangesNothing();
}

TEST_F(IngestAgentReportTest, AReportWithinTheSkewIsAccepted) {
  AgentReport r = Report("rep-1", "a1", T0() + std::chrono::minutes(5), {kOld});
  When(Ingest(r));
  ThenEvents({Reported(r)});
}

TEST_F(IngestAgentReportTest, TheSkewComesWithTheCommand) {
  IngestAgentReport command = Ingest(Report("rep-1", "a1", T0() + std::chrono::seconds(61), {}));
  command.max_clock_skew = std::chrono::minutes(1);
  When(command);
  // Events() returns a vector by value: keep it alive while reading it.
  const std::vector<Event> events = Decided().Events();
  ASSERT_EQ(events.size(), 1u);
  const auto* rejected = std::get_if<AgentReportRejected>(&events[0]);
  ASSERT_NE(rejected, nullptr);
  EXPECT_NE(rejected->reason.find("more than 60 seconds ahead"), std::string::npos)
      << rejected->reason;
  command.max_clock_skew = Days(2);
  When(command);
  ASSERT_EQ(Decided().Events().size(), 1u);
  EXPECT_TRUE(std::holds_alternative<AgentInventoryReported>(Decided().Events()[0]));
}

TEST_F(IngestAgentReportTest, AnAgentFrozenByAnAcceptedFutureReportRecoversWithItsNextReport) {
  // An earlier version accepted a report dated ten days ahead.
  Given({Reported("rep-f", "a1", Day(10), {kOld})});
  AgentReport r = Report("rep-2", "a1", T0(), {kOld, kNew});
  When(Ingest(r));
  AgentInventoryReported recovered = Reported(r);
  recovered.supersedes_future_report = true;
  ThenEvents({recovered});
  Apply();
  const AgentState* a = state_.FindAgent("a1");
  EXPECT_TRUE(state_.Holds(*a, state_.fingerprints.Find(kNew)));
  EXPECT_EQ(a->last_report_at, T0());
  // From then on the agent's reports are ordered as usual.
  When(Ingest(Report("rep-1", "a1", T0() - std::chrono::hours(1), {kOld})));
  ThenNoEvents();
  AgentReport next = Report("rep-3", "a1", T0() + std::chrono::minutes(1), {kNew});
  When(Ingest(next));
  ThenEvents({Reported(next)});
}

TEST_F(IngestAgentReportTest, ALatestReportWithinTheSkewStillOrdersReports) {
  Given({Reported("rep-2", "a1", T0() + std::chrono::minutes(4), {kOld, kNew})});
  When(Ingest(Report("rep-1", "a1", T0(), {kOld})));
  ThenNoEvents();
}

TEST_F(IngestAgentReportTest, ARepeatOfTheAcceptedFutureReportStaysANoOp) {
  AgentReport future = Report("rep-f", "a1", Day(10), {kOld});
  Given({Reported(future)});
  When(Ingest(future));
  ThenNoEvents();
}

}  // namespace
}  // namespace rotor::domain::testing
