// The end-to-end fixture. See e2e_fixture.h.
#include "tests/e2e/e2e_fixture.h"

#include "services/ca/generate.h"
#include "services/pki/certificate_parser.h"

namespace rotor::testing {
namespace {

CertFile MakeCert(const std::string& path, const char* cn, const char* from, const char* to) {
  auto made = ca::GenerateSelfSignedCa(cn, *ParseTime(from), *ParseTime(to));
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  if (!made.ok()) return {};
  WriteFile(path, made->first);
  auto info = pki::ParseCertificate(made->first);
  EXPECT_TRUE(info.ok());
  return {path, info.ok() ? info->fingerprint : ""};
}

}  // namespace

std::string ReportLine(const std::string& report_id, const std::string& agent_id,
                       const std::string& reported_at, const std::vector<std::string>& fingerprints,
                       const std::string& gateway, const std::string& site) {
  return json{{"reportId", report_id},     {"agentId", agent_id},
              {"reportedAt", reported_at}, {"certificateFingerprints", fingerprints},
              {"gatewayId", gateway},      {"site", site},
              {"cloudEnabled", true}}
      .dump();
}

std::string AgentId(int i) {
  char id[32];
  std::snprintf(id, sizeof id, "agent-%04d", i + 1);
  return id;
}

std::string TimeAt(const std::string& base, int seconds) {
  return FormatTime(*ParseTime(base) + std::chrono::seconds(seconds));
}

void E2eTest::SetUp() {
  data_ = dir_.Sub("data");
  tokens_ = dir_.Sub("tokens");
  WriteTokensFile(tokens_);
  old_cert_ = MakeCert(dir_.Sub("old.pem"), "ns.example.com 2025", "2025-01-01T00:00:00Z",
                       "2026-12-31T00:00:00Z");
  new_cert_ = MakeCert(dir_.Sub("new.pem"), "ns.example.com 2026", "2026-10-01T00:00:00Z",
                       "2028-10-01T00:00:00Z");
}

void E2eTest::StartDaemon() {
  daemon_.reset();
  daemon_ = std::make_unique<Rotord>(data_, tokens_);
  ASSERT_TRUE(daemon_->running());
}

void E2eTest::StopDaemon() {
  if (daemon_ != nullptr) {
    EXPECT_EQ(daemon_->Stop(), 0);
  }
  daemon_.reset();
}

ToolResult E2eTest::Ctl(std::vector<std::string> args, const std::string& token,
                        const std::string& input) {
  std::vector<std::string> full = {"--server", daemon_ != nullptr ? daemon_->url() : "", "--token",
                                   token};
  full.insert(full.end(), args.begin(), args.end());
  return RunTool("rotorctl", full, input);
}

ToolResult E2eTest::Local(std::vector<std::string> args, const std::string& dir) {
  std::vector<std::string> full = {"--data", dir.empty() ? data_ : dir};
  full.insert(full.end(), args.begin(), args.end());
  return RunTool("rotorctl", full);
}

json E2eTest::CtlJson(std::vector<std::string> args, const std::string& token) {
  args.push_back("--json");
  ToolResult r = Ctl(args, token);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json parsed = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << r.out;
  return parsed;
}

json E2eTest::LocalJson(std::vector<std::string> args, const std::string& dir) {
  args.push_back("--json");
  ToolResult r = Local(args, dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json parsed = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << r.out;
  return parsed;
}

void ExpectOneLineError(const ToolResult& r, int code, const std::string& contains) {
  EXPECT_EQ(r.exit_code, code) << "stderr: " << r.err << " stdout: " << r.out;
  EXPECT_TRUE(r.OneLineError()) << "stderr is not one line: [" << r.err << "]";
  EXPECT_EQ(r.err.rfind("rotorctl: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(contains), std::string::npos)
      << "stderr [" << r.err << "] does not contain [" << contains << "]";
}

}  // namespace rotor::testing
