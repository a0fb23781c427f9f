// Test helpers for rotor_app: a temporary data directory, an Engine on it
// with a settable clock, principals of every role, and JSON calls. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/time.h"
#include "services/app/engine.h"
#include "tests/testing/temp_dir.h"

namespace rotor::app::testing {

using rotor::testing::TempDir;

inline Time At(const char* rfc3339) { return ParseTime(rfc3339).value(); }

// A self-signed certificate (PEM) with subject CN=<cn>, valid from
// not_before to not_after, and its SHA-256 fingerprint.
struct TestCertificate {
  std::string pem;
  std::string fingerprint;
};
TestCertificate MakeCertificate(const std::string& cn, Time not_before, Time not_after);

Principal Admin();
Principal Operator();
Principal Auditor();
// An agent principal bound to agent a1 (named agent-a1).
Principal AgentRole();
// An agent principal bound to `agent_id`, named agent-<agent_id>.
Principal AgentOf(const std::string& agent_id);
// An ingest principal (gateway-relay): may report for any agent.
Principal Ingest();

struct Reply {
  int status = 0;
  std::string body;
  nlohmann::json json;  // parsed body (null when not JSON)
  std::string content_type;
};

// Writes a file. Fails the test when it cannot.
void WriteFile(const std::string& path, const std::string& text);

// An Engine on a temporary directory with a clock the test sets.
class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Options the fixture opens with; tests may change them before Reopen().
  EngineOptions Options();
  void Reopen();

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             const Principal& principal = Admin(),
             const std::map<std::string, std::string>& query = {});
  Reply CallJson(const std::string& method, const std::string& path, const nlohmann::json& body,
                 const Principal& principal = Admin());
  // The value of `series` (its name and labels, then a space) in GET /metrics; -1 when absent.
  double Metric(const std::string& series);

  // Registers a server-web certificate valid 2026-01-01..2028-01-01.
  std::string RegisterServerCert(const std::string& cn);
  // Sends one agent report as AgentOf(agent_id).
  Reply Report(const std::string& report_id, const std::string& agent_id, const char* reported_at,
               const std::vector<std::string>& fingerprints, bool cloud_enabled = false,
               const std::string& gateway = "", const std::string& site = "");
  static nlohmann::json ReportJson(const std::string& report_id, const std::string& agent_id,
                                   const char* reported_at,
                                   const std::vector<std::string>& fingerprints,
                                   bool cloud_enabled = false, const std::string& gateway = "",
                                   const std::string& site = "");

  void SetNow(const char* rfc3339) { now_.store(ToMicros(At(rfc3339))); }

  std::unique_ptr<TempDir> dir_;
  std::atomic<int64_t> now_{0};
  std::unique_ptr<Engine> engine_;
  std::string ca_cert_path_;
  std::string ca_key_path_;
};

}  // namespace rotor::app::testing
