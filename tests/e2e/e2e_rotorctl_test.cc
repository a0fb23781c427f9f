// End to end through rotorctl: the article's replacement against a real
// rotord on an ephemeral port, the live progress stream, and the same
// answers from `rotorctl --data DIR` on the stopped daemon's directory; and a
// server whose answer is not JSON.
#include <httplib.h>

#include <thread>

#include "tests/e2e/e2e_article.h"

namespace rotor::testing {
namespace {

// A proxy in front of rotord that answers 200 with an HTML page: rotorctl
// fails with an error that names the request it sent.
TEST(RotorctlTest, AnAnswerThatIsNotJsonIsAnErrorNamingTheRequest) {
  httplib::Server server;
  server.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>bad gateway</html>", "text/html");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });
  ToolResult r = RunTool("rotorctl", {"--server", "http://127.0.0.1:" + std::to_string(port),
                                      "--token", kAuditorToken, "rollouts"});
  server.stop();
  serving.join();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("the server's answer to /v1/rollouts"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not JSON"), std::string::npos) << r.err;
}

TEST_F(ArticleTest, ReplacementRunsToFinalizeThroughRotorctl) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(RunUntilRefusal());
  ASSERT_NO_FATAL_FAILURE(RunToFinalize());
  ToolResult r = Ctl({"timeline", kRollout}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("oscar"), std::string::npos) << r.out;  // the operator's token name
  r = Ctl({"rollouts"}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2376 of 2376 received (100.0%)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("finalized"), std::string::npos) << r.out;
}

// The console's server-side lists from the CLI: a rollout's outstanding
// agents filtered and paged, and one agent's history.
TEST_F(ArticleTest, AgentsListsARolloutsOutstandingAgentsAndAnAgentsTimeline) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(RunUntilRefusal());
  json page = CtlJson({"agents", "--rollout", kRollout, "--status", "outstanding", "--limit", "5"});
  EXPECT_EQ(page["total"], kHolders - kReceivedFirst);
  EXPECT_EQ(page["agents"].size(), 5u);
  ToolResult r = Ctl({"agents", "--rollout", kRollout, "--prefix", AgentId(2392)}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 shown from 0, 1 in all"), std::string::npos) << r.out;
  r = Ctl({"agents", "--stale", "maybe"}, kAuditorToken);
  EXPECT_NE(r.exit_code, 0);
  r = Ctl({"agents", AgentId(0), "--timeline"}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("AgentInventoryReported"), std::string::npos) << r.out;
  // Time travel: as of the head, the same page; before the rollout, none.
  json head = CtlJson({"verify"});
  json then = CtlJson({"agents", "--rollout", kRollout, "--limit", "5", "--as-of",
                       std::to_string(head["events"].get<uint64_t>())});
  EXPECT_EQ(then["total"], page["total"]) << then.dump();
  EXPECT_EQ(then["agents"], page["agents"]);
  r = Ctl({"agents", "--rollout", kRollout, "--as-of", "1"}, kAuditorToken);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  // Every read command travels the same way: at the head, today's answer.
  const std::string at_head = std::to_string(head["events"].get<uint64_t>());
  const std::vector<std::pair<std::vector<std::string>, std::string>> reads = {
      {{"rollouts"}, "rollouts"},
      {{"stale"}, "stale_agents"},
      {{"certificates"}, "certificates"},
      {{"timeline", kRollout}, "entries"}};
  for (const auto& [read, key] : reads) {
    std::vector<std::string> then_read = read;
    then_read.insert(then_read.end(), {"--as-of", at_head});
    EXPECT_EQ(CtlJson(then_read)[key], CtlJson(read)[key]) << "rotorctl " << read[0];
  }
  // After the first event (the old certificate's registration): no rollout,
  // one certificate of the two.
  EXPECT_EQ(CtlJson({"rollouts", "--as-of", "1"})["rollouts"].size(), 0u);
  EXPECT_EQ(CtlJson({"certificates", "--as-of", "1"})["certificates"].size(), 1u);
  EXPECT_EQ(CtlJson({"certificates"})["certificates"].size(), 2u);
}

TEST_F(ArticleTest, StatusFollowDrawsProgressFromTheStreamUntilTheRolloutEnds) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(RunUntilRefusal());
  ToolResult follow;
  std::thread follower([&] { follow = Ctl({"status", "--follow", kRollout}, kAuditorToken); });
  ASSERT_NO_FATAL_FAILURE(RunToFinalize());
  follower.join();
  ASSERT_EQ(follow.exit_code, 0) << follow.err;
  // Not a terminal: one line per change, the first one as it stood.
  EXPECT_NE(follow.out.find("web-2026-11  [#"), std::string::npos) << follow.out;
  EXPECT_NE(follow.out.find("2076 of 2393 received (86.8%)"), std::string::npos) << follow.out;
  EXPECT_NE(follow.out.find("2376 of 2376 received (100.0%)"), std::string::npos) << follow.out;
  EXPECT_NE(follow.out.find("2376 of 2376 agents received the new certificate"), std::string::npos)
      << follow.out;
}

TEST_F(ArticleTest, DataDirectoryGivesTheSameAnswersAsTheServer) {
  StartDaemon();
  ASSERT_NO_FATAL_FAILURE(RunUntilRefusal());
  ASSERT_NO_FATAL_FAILURE(RunToFinalize());
  const std::vector<std::vector<std::string>> reads = {
      {"status", kRollout},
      {"rollouts"},
      {"stale"},
      {"certificates"},
      {"agents", "--limit", "50"},
      {"timeline", kRollout},
      {"verify"},
      {"events", "--limit", "20"},
      {"replay", "--as-of", "2026-11-02T00:00:00Z"}};
  std::vector<json> served;
  for (const auto& read : reads) served.push_back(CtlJson(read));
  StopDaemon();
  for (size_t i = 0; i < reads.size(); ++i) {
    EXPECT_EQ(LocalJson(reads[i]), served[i]) << "rotorctl " << reads[i][0];
  }
  ToolResult r = Local({"finalize", kRollout});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // a repeat: nothing changes
  EXPECT_NE(r.out.find("nothing changed"), std::string::npos) << r.out;
}

TEST_F(ArticleTest, DataDirectoryInUseByRotordIsAnIoError) {
  StartDaemon();
  ToolResult r = Local({"status"});
  ExpectOneLineError(r, 3, "is rotord running on it?");
}

}  // namespace
}  // namespace rotor::testing
