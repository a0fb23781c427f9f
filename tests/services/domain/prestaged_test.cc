// Pre-staged replacements (the article's optional method): StageCertificate
// and SwitchBindings, Given / When / Then.
#include "services/domain/progress.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

class PreStagedTest : public DeciderTest {
 protected:
  void SetUp() override {
    Given({Registered(WebOld(), CertificateKind::kServerWeb),
           Registered(WebNew(), CertificateKind::kServerWeb), PreStaged("r1", 1000),
           // Three agents reported the old certificate; two hold the new one too.
           Reported("rep-1", "a1", Day(-1), {kOld, kNew}),
           Reported("rep-2", "a2", Day(-1), {kOld, kNew}), Reported("rep-3", "a3", Day(-1), {kOld}),
           // Never reported the old certificate: not counted.
           Reported("rep-4", "a4", Day(-1), {kNew})});
  }
  ReplacementInitiated PreStaged(std::string id, uint32_t permille) {
    return ReplacementInitiated{
        std::move(id), kOld, kNew, CertificateKind::kServerWeb, ReplacementMode::kPreStaged,
        permille};
  }
  static StageCertificate Stage(std::string profile = "ns.example.com") {
    return StageCertificate{"r1", std::move(profile), "alice", T0()};
  }
  static SwitchBindings Switch() { return SwitchBindings{"r1", "alice", T0()}; }
  const std::string& kOld = WebOld().fingerprint;
  const std::string& kNew = WebNew().fingerprint;
};

TEST_F(PreStagedTest, StagingRecordsTheCommunicationProfile) {
  When(Stage());
  ThenEvents({CertificateStaged{"r1", kNew, "ns.example.com"}});
  Apply();
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("r1")))), "staged");
}

TEST_F(PreStagedTest, StagingTheSameProfileAgainChangesNothing) {
  When(Stage());
  ThenRepeatingChangesNothing();
}

TEST_F(PreStagedTest, StagingAnotherProfileIsRecorded) {
  Given({CertificateStaged{"r1", kNew, "ns.example.com"}});
  When(Stage("branch-offices"));
  ThenEvents({CertificateStaged{"r1", kNew, "branch-offices"}});
}

TEST_F(PreStagedTest, ADirectReplacementHasNothingToStage) {
  Given({Registered(RootOld(), CertificateKind::kCemRoot),
         Registered(RootNew(), CertificateKind::kCemRoot),
         ReplacementInitiated{"r2", RootOld().fingerprint, RootNew().fingerprint,
                              CertificateKind::kCemRoot, ReplacementMode::kDirect, 0}});
  When(StageCertificate{"r2", "ns.example.com", "alice", T0()});
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r2 is a direct replacement; only a pre-staged replacement stages its "
            "certificate");
}

TEST_F(PreStagedTest, ACancelledReplacementCannotStage) {
  Given({ReplacementCancelled{"r1", ""}});
  When(Stage());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1 is cancelled; only an active replacement can stage its certificate");
}

TEST_F(PreStagedTest, StagingRefusesAnEmptyProfile) {
  When(Stage(""));
  ThenError(StatusCode::kInvalidArgument, "communication profile is empty");
}

TEST_F(PreStagedTest, TheBindingsCannotSwitchBeforeStaging) {
  When(Switch());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1: the new certificate is not staged in any communication profile yet; "
            "stage it before switching the bindings");
}

TEST_F(PreStagedTest, TheBindingsCannotSwitchBeforeTheRequiredShareHoldsIt) {
  Given({CertificateStaged{"r1", kNew, "ns.example.com"}});
  When(Switch());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1: 2 of 3 agents hold the staged certificate (66.6%); switching the "
            "bindings needs 100.0%");
}

TEST_F(PreStagedTest, TheBindingsSwitchOnceEveryCountedAgentHoldsIt) {
  Given({CertificateStaged{"r1", kNew, "ns.example.com"},
         Reported("rep-5", "a3", T0(), {kOld, kNew})});
  When(Switch());
  ThenEvents({BindingsSwitched{"r1", 3, 3}});
  Apply();
  EXPECT_EQ(std::string(RolloutStatusName(StatusOf(state_, *state_.FindRollout("r1")))),
            "ready to finalize");
}

TEST_F(PreStagedTest, AConfiguredShareLetsTheBindingsSwitchEarlier) {
  Given({ReplacementCancelled{"r1", ""}, PreStaged("r2", 600),
         CertificateStaged{"r2", kNew, "ns.example.com"}});
  When(SwitchBindings{"r2", "alice", T0()});
  ThenEvents({BindingsSwitched{"r2", 2, 3}});
}

TEST_F(PreStagedTest, SwitchingTwiceChangesNothing) {
  Given({CertificateStaged{"r1", kNew, "ns.example.com"},
         Reported("rep-5", "a3", T0(), {kOld, kNew})});
  When(Switch());
  ThenRepeatingChangesNothing();
}

TEST_F(PreStagedTest, ADirectReplacementHasNoBindingsSwitch) {
  Given({ReplacementCancelled{"r1", ""}, WebReplacement("r2")});
  When(SwitchBindings{"r2", "alice", T0()});
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r2 is a direct replacement; it has no bindings switch");
}

TEST_F(PreStagedTest, ACancelledReplacementCannotSwitch) {
  Given({CertificateStaged{"r1", kNew, "ns.example.com"}, ReplacementCancelled{"r1", ""}});
  When(Switch());
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1 is cancelled; only an active replacement can switch its bindings");
}

TEST_F(PreStagedTest, FinalizeWaitsForTheBindingsSwitch) {
  Given({CertificateStaged{"r1", kNew, "ns.example.com"},
         Reported("rep-5", "a3", T0(), {kOld, kNew})});
  When(FinalizeReplacement{"r1", false, "", "alice", T0()});
  ThenError(StatusCode::kFailedPrecondition,
            "rollout r1 is pre-staged and its bindings have not been switched; switch them "
            "before finalizing");
}

TEST_F(PreStagedTest, FinalizeFollowsTheBindingsSwitch) {
  Given({CertificateStaged{"r1", kNew, "ns.example.com"},
         Reported("rep-5", "a3", T0(), {kOld, kNew}), BindingsSwitched{"r1", 3, 3}});
  When(FinalizeReplacement{"r1", false, "", "alice", T0()});
  ThenEvents({ReplacementFinalized{"r1", 3, 3, false, "", {}, 0}});
}

TEST_F(PreStagedTest, StagingAnUnknownRolloutIsNotFound) {
  When(StageCertificate{"r9", "ns.example.com", "alice", T0()});
  ThenError(StatusCode::kNotFound, "rollout r9 does not exist");
}

}  // namespace
}  // namespace rotor::domain::testing
