// The end-to-end fixture: a temporary directory with a tokens file, two
// server web certificates (old and new, PEM files), a rotord on an ephemeral
// port, and helpers to run rotorctl against it (or against its data
// directory) and to build the article's agent reports. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/e2e_process.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {

using nlohmann::json;

struct CertFile {
  std::string path;
  std::string fingerprint;
};

// One AgentReport in protobuf's JSON mapping, as a line (no newline).
std::string ReportLine(const std::string& report_id, const std::string& agent_id,
                       const std::string& reported_at, const std::vector<std::string>& fingerprints,
                       const std::string& gateway = "gw-1", const std::string& site = "london");
// "agent-0001" ... for i = 0 ...
std::string AgentId(int i);
// "2026-11-01T12:00:00Z" plus `seconds`.
std::string TimeAt(const std::string& base, int seconds);

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Starts (or restarts) rotord on data_.
  void StartDaemon();
  void StopDaemon();

  // rotorctl against the daemon with `token`.
  ToolResult Ctl(std::vector<std::string> args, const std::string& token = kAdminToken,
                 const std::string& input = {});
  // rotorctl --data `dir` (data_ by default).
  ToolResult Local(std::vector<std::string> args, const std::string& dir = {});
  // Runs with --json, expects exit 0 and parses stdout.
  json CtlJson(std::vector<std::string> args, const std::string& token = kAuditorToken);
  json LocalJson(std::vector<std::string> args, const std::string& dir = {});

  TempDir dir_;
  std::string data_;
  std::string tokens_;
  CertFile old_cert_;
  CertFile new_cert_;
  std::unique_ptr<Rotord> daemon_;
};

// Expects exit `code` and exactly one stderr line starting "rotorctl: ".
void ExpectOneLineError(const ToolResult& r, int code, const std::string& contains);

}  // namespace rotor::testing
