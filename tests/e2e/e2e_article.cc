// The article's replacement through rotorctl. See e2e_article.h.
#include "tests/e2e/e2e_article.h"

namespace rotor::testing {

std::string ArticleTest::InventoryReports() const {
  std::string lines;
  for (int i = 0; i < kHolders + kOthers; ++i) {
    std::vector<std::string> fps;
    if (i < kHolders) fps.push_back(old_cert_.fingerprint);
    lines += ReportLine("inv-" + AgentId(i), AgentId(i), TimeAt("2026-10-31T12:00:00Z", i), fps,
                        "gw-" + std::to_string(i % 3 + 1), i % 2 == 0 ? "london" : "paris") +
             "\n";
  }
  return lines;
}

std::string ArticleTest::ReceivedReports(int from, int to, const std::string& prefix,
                                         const std::string& base) const {
  std::string lines;
  for (int i = from; i < to; ++i) {
    lines += ReportLine(prefix + AgentId(i), AgentId(i), TimeAt(base, i),
                        {old_cert_.fingerprint, new_cert_.fingerprint},
                        "gw-" + std::to_string(i % 3 + 1), i % 2 == 0 ? "london" : "paris") +
             "\n";
  }
  return lines;
}

void ArticleTest::RunUntilRefusal() {
  ToolResult r = Ctl({"clock", "set", "2026-11-01T00:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Ctl({"cert", "register", old_cert_.path, "--kind", "server-web"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(old_cert_.fingerprint), std::string::npos) << r.out;

  r = Ctl({"ingest", "-"}, kOperatorToken, InventoryReports());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ingested 2500, duplicates 0, rejected 0"), std::string::npos) << r.out;

  r = Ctl({"clock", "set", "2026-11-01T01:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Ctl({"replace", "--old", old_cert_.fingerprint, "--new", new_cert_.path, "--rollout",
           kRollout, "--no-follow"},
          kOperatorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("initiated replacement web-2026-11"), std::string::npos) << r.out;

  r = Ctl({"clock", "set", "2026-11-02T00:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Ctl({"ingest", "-"}, kIngestToken,
          ReceivedReports(0, kReceivedFirst, "got-", "2026-11-01T12:00:00Z"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ingested 2076,"), std::string::npos) << r.out;

  json progress = CtlJson({"status", kRollout});
  EXPECT_EQ(progress["total"], kHolders);
  EXPECT_EQ(progress["received"], kReceivedFirst);
  EXPECT_EQ(progress["not_counted"], kOthers);
  EXPECT_EQ(progress["summary"], "2076 of 2393 agents received the new certificate");
  r = Ctl({"status", kRollout}, kAuditorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2076 of 2393 agents received the new certificate"), std::string::npos);

  r = Ctl({"finalize", kRollout}, kOperatorToken);
  ExpectOneLineError(r, 2, "317 of 2393 agents have not received the new certificate");
  EXPECT_NE(r.err.find("failed_precondition"), std::string::npos);
}

void ArticleTest::RunToFinalize() {
  ToolResult r = Ctl({"clock", "set", "2026-11-05T00:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Ctl({"ingest", "-"}, kIngestToken,
          ReceivedReports(kReceivedFirst, kReceivedFirst + kReceivedLater, "late-",
                          "2026-11-04T12:00:00Z"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ingested 300,"), std::string::npos) << r.out;
  // Every agent that received the certificate reported within four days;
  // the 17 silent ones last reported on 2026-10-31.
  r = Ctl({"sweep", "--threshold", "4d"}, kOperatorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json stale = CtlJson({"stale"});
  ASSERT_EQ(stale["stale_agents"].size(), static_cast<size_t>(kSilent)) << stale.dump();
  json progress = CtlJson({"status", kRollout});
  EXPECT_EQ(progress["stale"], kSilent);
  EXPECT_EQ(progress["outstanding"], kSilent);
  for (const json& agent : stale["stale_agents"]) {
    r = Ctl({"delete-agent", agent["agent_id"].get<std::string>(), "--reason", "decommissioned"},
            kOperatorToken);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  r = Ctl({"finalize", kRollout}, kOperatorToken);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("finalized web-2026-11: appended 1 event"), std::string::npos) << r.out;
  progress = CtlJson({"status", kRollout});
  EXPECT_EQ(progress["state"], "finalized");
  EXPECT_EQ(progress["summary"], "2376 of 2376 agents received the new certificate");
}

}  // namespace rotor::testing
