// Malformed input through rotorctl against a real rotord: every error is one
// line, "rotorctl: <problem>", with the documented exit code (docs/cli.md):
// 1 usage, 2 refused by the server, 3 server or I/O error. And `ingest`
// counts what it ingested, skipped as duplicates and rejected, with reasons.
#include "tests/e2e/e2e_fixture.h"

namespace rotor::testing {
namespace {

class MalformedTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    StartDaemon();
    ASSERT_EQ(Ctl({"clock", "set", "2026-11-01T00:00:00Z"}).exit_code, 0);
  }
};

TEST_F(MalformedTest, UsageErrorsExitOne) {
  ExpectOneLineError(Ctl({"frobnicate"}), 1, "frobnicate");
  ExpectOneLineError(Ctl({"finalize"}), 1, "rollout");
  ExpectOneLineError(Ctl({"status", "--bogus"}), 1, "--bogus");
  ExpectOneLineError(Ctl({"replay", "--as-of", "yesterday"}), 1,
                     "--as-of yesterday is neither a sequence number nor an RFC 3339 time");
  ExpectOneLineError(Ctl({"replace", "--old", "abc", "--new", new_cert_.path}), 1,
                     "--old abc is not a SHA-256 fingerprint");
  ExpectOneLineError(Ctl({"clock", "set", "soon"}), 1, "soon");
  ExpectOneLineError(Ctl({"sweep", "--threshold", "forever"}), 1, "--threshold forever");
  ExpectOneLineError(Ctl({"export", "--from", "10", "--to", "5"}), 1, "--to 5 is before --from 10");
  ExpectOneLineError(Ctl({"gateway", "set", "gw-1", "--auto-refresh", "maybe"}), 1, "maybe");
  WriteFile(dir_.Sub("junk.pem"), "this is not a certificate\n");
  ExpectOneLineError(Ctl({"cert", "register", dir_.Sub("junk.pem"), "--kind", "server-web"}), 1,
                     "is not an X.509 certificate");
  ExpectOneLineError(RunTool("rotorctl", {"status"}), 1, "no server");
  ExpectOneLineError(RunTool("rotorctl", {"--server", "ftp://example.com", "status"}), 1,
                     "is not http://HOST[:PORT]");
  ExpectOneLineError(RunTool("rotorctl", {"--server", "http://x", "--data", data_, "status"}), 1,
                     "exclusive");
}

TEST_F(MalformedTest, RefusalsByTheServerExitTwo) {
  ExpectOneLineError(Ctl({"status", "no-such-rollout"}, kAuditorToken), 2,
                     "not_found: rollout no-such-rollout does not exist");
  ExpectOneLineError(Ctl({"status"}, "not-a-token"), 2, "unauthenticated");
  ExpectOneLineError(Ctl({"cancel", "r1"}, kAuditorToken), 2, "permission_denied");
  ExpectOneLineError(Ctl({"verify"}, kOperatorToken), 2, "permission_denied");
  ExpectOneLineError(Ctl({"revoke", "agent-0001", "--reason-code", "7"}, kOperatorToken), 2,
                     "reason code 7");
  ExpectOneLineError(Ctl({"finalize", "nope"}, kOperatorToken), 2, "not_found");
  ExpectOneLineError(
      Ctl({"replace", "--old", old_cert_.fingerprint, "--new", new_cert_.fingerprint},
          kOperatorToken),
      2, "not registered");
  WriteFile(dir_.Sub("bad.json"), "{\"reportId\": \"r1\", \"agentId\": \"a1\", \"colour\": 1}");
  ExpectOneLineError(Ctl({"report", dir_.Sub("bad.json")}, kIngestToken), 2, "invalid_argument");
  WriteFile(dir_.Sub("broken.json"), "{\"reportId\": ");
  ExpectOneLineError(Ctl({"report", dir_.Sub("broken.json")}, kIngestToken), 2, "invalid_argument");
  ASSERT_EQ(Ctl({"cert", "register", old_cert_.path, "--kind", "server-web"}).exit_code, 0);
  ExpectOneLineError(Ctl({"cert", "register", old_cert_.path, "--kind", "server-web"}), 2,
                     "already registered");
  // The registration is an event at 2026-11-01: the clock cannot go before it.
  ExpectOneLineError(Ctl({"clock", "set", "2026-10-01T00:00:00Z"}), 2, "failed_precondition");
}

TEST_F(MalformedTest, ServerAndIoErrorsExitThree) {
  ExpectOneLineError(Ctl({"cert", "register", dir_.Sub("missing.pem"), "--kind", "cem-root"}), 3,
                     "cannot read");
  ExpectOneLineError(Ctl({"ingest", dir_.Sub("missing.jsonl")}), 3, "cannot read");
  const std::string url = daemon_->url();
  StopDaemon();
  ExpectOneLineError(RunTool("rotorctl", {"--server", url, "--token", kAdminToken, "status"}), 3,
                     "cannot connect to " + url);
}

TEST_F(MalformedTest, IngestCountsIngestedDuplicatesAndRejectedWithReasons) {
  const std::string fp(64, 'a');
  std::string lines;
  for (int i = 0; i < 10; ++i) {
    lines +=
        ReportLine("r-" + std::to_string(i), AgentId(i), TimeAt("2026-10-31T00:00:00Z", i), {fp}) +
        "\n";
  }
  lines += ReportLine("r-3", AgentId(3), TimeAt("2026-10-31T00:00:00Z", 3), {fp}) + "\n";  // dup
  lines += "\n";           // blank: skipped
  lines += "{not json\n";  // line 13
  lines +=
      R"({"reportId": "r-x", "agentId": "a", "reportedAt": "2026-10-31T00:00:00Z", "certificateFingerprints": ["ABC"]})"
      "\n";
  lines +=
      R"({"reportId": "r-y", "agentId": "a", "reportedAt": "2026-10-31T00:00:00Z", "colour": "red"})"
      "\n";
  ToolResult r = Ctl({"ingest", "-"}, kIngestToken, lines);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.out.find("ingested 10, duplicates 1, rejected 3 (of 14 reports)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("rejected line 13: line 13: not a JSON object"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rejected r-x: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rejected r-y: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("colour"), std::string::npos) << r.out;

  // Sending the same file again: everything valid is now a duplicate.
  r = Ctl({"ingest", "-", "--json"}, kIngestToken, lines);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  json counts = json::parse(r.out, nullptr, false);
  EXPECT_EQ(counts["ingested"], 0);
  EXPECT_EQ(counts["duplicates"], 11);
  EXPECT_EQ(counts["rejected"].size(), 3u);

  // A clean file exits 0.
  r = Ctl({"ingest", "-"}, kIngestToken,
          ReportLine("r-new", AgentId(0), "2026-10-31T12:00:00Z", {fp}) + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ingested 1, duplicates 0, rejected 0"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace rotor::testing
