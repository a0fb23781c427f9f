// Internet gateways: SetGatewayAutoRefresh, RefreshGateway, and the manual
// refreshes a CEM root replacement and a reporting certificate renewal need
// when auto-refresh is off. Given / When / Then.
#include "services/domain/progress.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

constexpr auto kAfterInitiate = GatewayRefreshStep::kAfterInitiate;
constexpr auto kAfterFinalize = GatewayRefreshStep::kAfterFinalize;

class GatewayTest : public DeciderTest {
 protected:
  void SetUp() override {
    Given({Registered(RootOld(), CertificateKind::kCemRoot),
           Registered(RootNew(), CertificateKind::kCemRoot),
           GatewayAutoRefreshChanged{"gw1", false}, GatewayAutoRefreshChanged{"gw2", true}});
  }
  static ReplacementInitiated RootReplacement() {
    return ReplacementInitiated{"r1",
                                RootOld().fingerprint,
                                RootNew().fingerprint,
                                CertificateKind::kCemRoot,
                                ReplacementMode::kDirect,
                                0};
  }
  // A root replacement whose after-initiate refresh of gw1 is pending.
  void GivenRootReplacement() {
    Given({RootReplacement(), GatewayRefreshRequired{"gw1", "r1", kAfterInitiate}});
  }
  static RefreshGateway Refresh(std::string gateway, std::string rollout = "r1") {
    return RefreshGateway{std::move(gateway), std::move(rollout), "carol", Day(1)};
  }
  std::string Status(const std::string& rollout) {
    return std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout(rollout))));
  }
};

TEST_F(GatewayTest, SettingAutoRefreshIsRecorded) {
  When(SetGatewayAutoRefresh{"gw1", true, "alice", T0()});
  ThenEvents({GatewayAutoRefreshChanged{"gw1", true}});
  EXPECT_EQ(Decided().appends[0].stream_id, "gateway-gw1");
}

// Found by tests/fuzz/api_body_fuzz.cc ("PUT /v1/gateways/\xffbew-1"): an id
// that is not UTF-8 was appended, and no reader could parse the event back.
TEST_F(GatewayTest, AnIdThatIsNotUtf8IsRefused) {
  When(
      SetGatewayAutoRefresh{"\xff"
                            "bew-1",
                            true, "alice", T0()});
  ThenError(StatusCode::kInvalidArgument, "gateway id is not valid UTF-8");
  When(SetGatewayAutoRefresh{"gw-\xc3\xa9", true, "alice", T0()});  // "gw-é" is fine
  ThenEvents({GatewayAutoRefreshChanged{"gw-\xc3\xa9", true}});
}

TEST_F(GatewayTest, SettingTheSameAutoRefreshAgainChangesNothing) {
  When(SetGatewayAutoRefresh{"gw3", false, "alice", T0()});
  ThenRepeatingChangesNothing();
}

TEST_F(GatewayTest, FinalizeWaitsForTheRefreshAfterInitiation) {
  GivenRootReplacement();
  When(FinalizeReplacement{"r1", false, "", "alice", Day(1)});
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1: gateway gw1 has not been refreshed since the replacement was initiated "
            "(auto-refresh is off); refresh before finalizing");
}

TEST_F(GatewayTest, ForceDoesNotSkipAGatewayRefresh) {
  GivenRootReplacement();
  When(FinalizeReplacement{"r1", true, "urgent", "alice", Day(1)});
  ThenErrorContains(StatusCode::kFailedPrecondition, "gateway gw1 has not been refreshed");
}

TEST_F(GatewayTest, ARefreshRecordsWhoDidItAndWhen) {
  GivenRootReplacement();
  When(Refresh("gw1"));
  ThenEvents({GatewayRefreshPerformed{"gw1", "r1", kAfterInitiate, Day(1), "carol"}});
  EXPECT_EQ(Decided().appends[0].stream_id, "rollout-r1");
  Apply();
  const GatewayStep& step = state_.FindRollout("r1")->gateway_steps[0];
  EXPECT_TRUE(step.performed);
  EXPECT_EQ(step.performed_by, "carol");
}

TEST_F(GatewayTest, RefreshingTwiceChangesNothing) {
  GivenRootReplacement();
  When(Refresh("gw1"));
  ThenRepeatingChangesNothing();
}

TEST_F(GatewayTest, AfterFinalizeTheRolloutWaitsForASecondRefresh) {
  GivenRootReplacement();
  Given({GatewayRefreshPerformed{"gw1", "r1", kAfterInitiate, Day(1), "carol"}});
  When(FinalizeReplacement{"r1", false, "", "alice", Day(2)});
  ThenEvents({ReplacementFinalized{"r1", 0, 0, false, "", {}, 0},
              GatewayRefreshRequired{"gw1", "r1", kAfterFinalize}});
  Apply();
  EXPECT_EQ(Status("r1"), "finalized, gateway refresh pending");

  When(Refresh("gw1"));
  ThenEvents({GatewayRefreshPerformed{"gw1", "r1", kAfterFinalize, Day(1), "carol"}});
  Apply();
  EXPECT_EQ(Status("r1"), "finalized");
}

TEST_F(GatewayTest, AGatewayWithAutoRefreshNeedsNoManualStep) {
  Given({GatewayAutoRefreshChanged{"gw1", true}, RootReplacement()});
  When(FinalizeReplacement{"r1", false, "", "alice", Day(1)});
  ThenEvents({ReplacementFinalized{"r1", 0, 0, false, "", {}, 0}});
}

TEST_F(GatewayTest, RefreshingAnUnknownGatewayIsNotFound) {
  GivenRootReplacement();
  When(Refresh("gw9"));
  ThenError(StatusCode::kNotFound,
            "gateway gw9 is unknown: it has no auto-refresh setting and no agent reports "
            "through it");
}

TEST_F(GatewayTest, RefreshingForAnUnknownRolloutIsNotFound) {
  When(Refresh("gw1", "r9"));
  ThenError(StatusCode::kNotFound, "rollout r9 does not exist");
}

TEST_F(GatewayTest, RefreshingForARolloutThatNeedsNoRefreshIsRefused) {
  GivenRootReplacement();
  When(Refresh("gw2"));
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1 requires no refresh of gateway gw2 (the gateway refreshes "
            "automatically, or the rollout does not touch gateways)");
}

TEST_F(GatewayTest, ACancelledRolloutNeedsNoRefresh) {
  GivenRootReplacement();
  Given({ReplacementCancelled{"r1", ""}});
  When(Refresh("gw1"));
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1 is cancelled; it needs no refresh of gateway gw1");
}

TEST_F(GatewayTest, ARefreshWithoutARolloutSatisfiesEveryPendingStep) {
  GivenRootReplacement();
  Given({RenewalInitiated{"n1", RenewalTarget::kGatewayReportingCertificate, "", {}, "gw1"},
         GatewayRefreshRequired{"gw1", "n1", kAfterInitiate}});
  When(Refresh("gw1", ""));
  ThenEvents({GatewayRefreshPerformed{"gw1", "n1", kAfterInitiate, Day(1), "carol"},
              GatewayRefreshPerformed{"gw1", "r1", kAfterInitiate, Day(1), "carol"}});
  EXPECT_EQ(Decided().appends.size(), 2u) << "one append per rollout stream";
}

TEST_F(GatewayTest, ARefreshWithNothingPendingChangesNothing) {
  When(Refresh("gw1", ""));
  ThenNoEvents();
}

TEST_F(GatewayTest, ARenewalOfTheReportingCertificateNeedsOneRefresh) {
  Given({Registered(GatewayReporting(), CertificateKind::kGatewayReporting)});
  When(
      RenewGatewayReportingCertificate{"n1", "gw1", GatewayReporting().fingerprint, "alice", T0()});
  ThenEvents({RenewalInitiated{"n1",
                               RenewalTarget::kGatewayReportingCertificate,
                               GatewayReporting().fingerprint,
                               {},
                               "gw1"},
              GatewayRefreshRequired{"gw1", "n1", kAfterInitiate}});
  Apply();
  EXPECT_EQ(Status("n1"), "initiated");
  When(Refresh("gw1", "n1"));
  Apply();
  EXPECT_EQ(Status("n1"), "completed");
}

TEST_F(GatewayTest, ARenewalWithAutoRefreshNeedsNoManualStep) {
  When(RenewGatewayReportingCertificate{"n1", "gw2", "", "alice", T0()});
  ThenEvents({RenewalInitiated{"n1", RenewalTarget::kGatewayReportingCertificate, "", {}, "gw2"}});
  Apply();
  EXPECT_EQ(Status("n1"), "completed");
}

TEST_F(GatewayTest, SettingAutoRefreshRefusesAnEmptyGatewayId) {
  When(SetGatewayAutoRefresh{"", true, "alice", T0()});
  ThenError(StatusCode::kInvalidArgument, "gateway id is empty");
}

}  // namespace
}  // namespace rotor::domain::testing
