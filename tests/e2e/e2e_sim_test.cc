// End to end for rotor-sim: its default scenario (the article's fleet, a
// replacement of the CEM root certificate) against a real rotord on an
// ephemeral port runs to a finalized rollout, and rotorctl then shows it.
#include "tests/e2e/e2e_fixture.h"

namespace rotor::testing {
namespace {

class SimTest : public E2eTest {};

TEST_F(SimTest, DefaultScenarioRunsToAFinalizedRollout) {
  StartDaemon();
  ToolResult sim = RunTool("rotor-sim", {"--server", daemon_->url(), "--token", kAdminToken}, {},
                           {}, std::chrono::seconds(1200));
  ASSERT_EQ(sim.exit_code, 0) << sim.err << "\n" << sim.out;
  EXPECT_NE(sim.out.find("day 1: "), std::string::npos) << sim.out;
  EXPECT_NE(sim.out.find("agents received the new certificate ("), std::string::npos) << sim.out;
  EXPECT_NE(sim.out.find("finalize refused, as it should be"), std::string::npos) << sim.out;
  EXPECT_NE(sim.out.find("was lost: revoked its CEM certificate"), std::string::npos) << sim.out;
  EXPECT_NE(sim.out.find("refreshed gateway gw-2 by hand after the finalization"),
            std::string::npos)
      << sim.out;

  json rollouts = CtlJson({"rollouts"});
  ASSERT_EQ(rollouts["rollouts"].size(), 1u) << rollouts.dump();
  const json& p = rollouts["rollouts"][0];
  EXPECT_EQ(p["state"], "finalized") << p.dump();
  EXPECT_EQ(p["certificate_kind"], "cem-root");
  EXPECT_EQ(p["outstanding"], 0);
  EXPECT_EQ(p["received"], p["total"]);
  // The scenario is deterministic for its default seed: 2393 agents held the
  // old certificate; the silent agents and the lost laptop (revoked, then its
  // resource deleted) leave every statistic, so 2367 are counted at the end;
  // the 107 agents that never held the old certificate are not counted.
  EXPECT_EQ(p["total"], 2367) << p.dump();
  EXPECT_EQ(p["revoked"], 0) << p.dump();
  EXPECT_EQ(p["not_counted"], 107) << p.dump();
  ToolResult verify = Ctl({"verify"}, kAuditorToken);
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_F(SimTest, SameSeedSameRunInProcess) {
  // A small fleet on a data directory, twice: the same seed gives the same output.
  auto run = [&](const std::string& dir) {
    return RunTool("rotor-sim", {"--data", dir, "--agents", "120", "--without-old", "8",
                                 "--scenario", "all", "--seed", "7"});
  };
  ToolResult a = run(dir_.Sub("a"));
  ToolResult b = run(dir_.Sub("b"));
  ASSERT_EQ(a.exit_code, 0) << a.err << a.out;
  ASSERT_EQ(b.exit_code, 0) << b.err << b.out;
  auto strip = [](std::string s) {  // the directory name differs
    size_t at = s.find("data directory ");
    if (at != std::string::npos) s.erase(at, s.find(',', at) - at);
    return s;
  };
  EXPECT_EQ(strip(a.out), strip(b.out));
  json rollouts = LocalJson({"rollouts"}, dir_.Sub("a"));
  ASSERT_EQ(rollouts["rollouts"].size(), 4u) << rollouts.dump();
  for (const json& p : rollouts["rollouts"]) {
    std::string state = p["state"];
    EXPECT_TRUE(state == "finalized" || state == "completed") << p.dump();
  }
}

}  // namespace
}  // namespace rotor::testing
