// Evolve and progress: stream versions, the article's counting rules, and a
// fleet of 100k agents.
#include "services/domain/progress.h"

#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "services/domain/streams.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

class ProgressTest : public DeciderTest {
 protected:
  RolloutProgress Progress(const std::string& rollout = "r1", bool list = false) {
    return ComputeProgress(state_, *state_.FindRollout(rollout), list ? kListAll : 0);
  }
  const std::string& kOld = WebOld().fingerprint;
  const std::string& kNew = WebNew().fingerprint;
};

TEST_F(ProgressTest, EvolveTracksEveryStreamsVersionAndTheLastSequence) {
  Given({Registered(WebOld(), CertificateKind::kServerWeb), WebReplacement("r1"),
         ReplacementCancelled{"r1", ""}, Reported("rep-1", "a1", T0(), {})});
  EXPECT_EQ(state_.StreamVersion(CertificateStream(kOld)), 1u);
  EXPECT_EQ(state_.StreamVersion("rollout-r1"), 2u);
  EXPECT_EQ(state_.StreamVersion("agent-a1"), 1u);
  EXPECT_EQ(state_.StreamVersion("agent-a2"), 0u);
  EXPECT_EQ(state_.last_sequence, 4u);
}

TEST_F(ProgressTest, CountsAgentsWhoseLatestInventoryHoldsTheOldCertificate) {
  Given({WebReplacement("r1"), Reported("rep-1", "a1", Day(-1), {kOld, kNew}),  // received
         Reported("rep-2", "a2", Day(-1), {kOld}),                              // outstanding
         Reported("rep-3", "a3", Day(-1), {kNew}),  // never reported the old: not counted
         Reported("rep-4", "a4", Day(-2), {kOld}),  // later reported without it
         Reported("rep-5", "a4", Day(-1), {}),
         Reported("rep-6", "a5", Day(-9), {kOld}),  // stale, stays counted
         AgentFlaggedStale{"a5", Day(-9), Day(-1), 86400},
         Reported("rep-7", "a6", Day(-1), {kOld}),  // revoked, stays counted
         CertificateRevoked{"a6", "", 1, "", Day(-1)}});
  RolloutProgress p = Progress("r1", /*list=*/true);
  EXPECT_EQ(p.total, 4u);
  EXPECT_EQ(p.received, 1u);
  EXPECT_EQ(p.stale, 1u);
  EXPECT_EQ(p.stale_outstanding, 1u);
  EXPECT_EQ(p.revoked, 1u);
  EXPECT_EQ(p.outstanding_agent_ids, (std::vector<std::string>{"a2", "a5", "a6"}));
}

TEST_F(ProgressTest, AnOutOfOrderReportDoesNotChangeProgress) {
  Given({WebReplacement("r1"), Reported("rep-2", "a1", Day(-1), {kOld, kNew}),
         Reported("rep-1", "a1", Day(-2), {kOld})});
  EXPECT_EQ(Progress().received, 1u);
}

TEST_F(ProgressTest, StatusFollowsTheRolloutsPhase) {
  Given({WebReplacement("r1")});
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("r1")))),
            "ready to finalize")
      << "no agent holds the old certificate: none is outstanding";
  Given({Reported("rep-1", "a1", Day(-1), {kOld, kNew}), Reported("rep-2", "a2", Day(-1), {kOld})});
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("r1")))),
            "distributing");
  Given({ReplacementInitiated{"r2", kNew, kOld, CertificateKind::kServerWeb,
                              ReplacementMode::kPreStaged, 1000}});
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("r2")))),
            "initiated");
}

TEST_F(ProgressTest, ComputesProgressForAHundredThousandAgents) {
  std::vector<Event> events;
  events.reserve(100000);
  events.emplace_back(Registered(WebOld(), CertificateKind::kServerWeb));
  events.emplace_back(Registered(WebNew(), CertificateKind::kServerWeb));
  events.emplace_back(WebReplacement("r1"));
  const std::string other = FakeCertificate("other", Day(-1), Day(100)).fingerprint;
  for (int i = 0; i < 100000; ++i) {
    std::vector<std::string> held = {kOld, other};
    if (i % 4 != 0) held.push_back(kNew);
    events.emplace_back(Reported("rep-" + std::to_string(i), "agent-" + std::to_string(i),
                                 i % 10 == 0 ? Day(-30) : Day(-1), held));
  }
  Given(events);
  EXPECT_EQ(state_.fingerprints.size(), 3u) << "inventories share interned fingerprints";
  RolloutProgress p = Progress();
  EXPECT_EQ(p.total, 100000u);
  EXPECT_EQ(p.received, 75000u);

  FlagStaleAgents flag;
  flag.threshold = Days(7);
  flag.now = T0();
  When(flag);
  ASSERT_TRUE(result_->ok());
  EXPECT_EQ(Decided().appends.size(), 10000u);

  When(FinalizeReplacement{"r1", true, "maintenance window", "alice", T0()});
  ASSERT_TRUE(result_->ok());
  std::vector<Event> decided = Decided().Events();
  const auto& finalized = std::get<ReplacementFinalized>(decided[0]);
  EXPECT_EQ(finalized.outstanding_agent_ids.size(), 25000u);
}

// Each alternative of Command, default-constructed, by its index.
template <size_t... I>
std::vector<Command> EveryCommand(std::index_sequence<I...>) {
  return {Command(std::in_place_index<I>)...};
}

TEST(CommandNameTest, NamesEveryCommand) {
  // In the variant's order; a new command must be named here too.
  const std::vector<std::string_view> names = {"RegisterCertificate",
                                               "IngestAgentReport",
                                               "InitiateReplacement",
                                               "StageCertificate",
                                               "SwitchBindings",
                                               "FinalizeReplacement",
                                               "CancelReplacement",
                                               "SetGatewayAutoRefresh",
                                               "RefreshGateway",
                                               "RenewCemAgentCertificates",
                                               "RenewGatewayReportingCertificate",
                                               "RecordRenewedCertificate",
                                               "RevokeAgentCertificate",
                                               "FlagStaleAgents",
                                               "DeleteAgentResource"};
  std::vector<Command> commands =
      EveryCommand(std::make_index_sequence<std::variant_size_v<Command>>());
  ASSERT_EQ(commands.size(), names.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    EXPECT_EQ(CommandName(commands[i]), names[i]) << "alternative " << i;
  }
}

}  // namespace
}  // namespace rotor::domain::testing
