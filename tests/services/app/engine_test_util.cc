#include "tests/services/app/engine_test_util.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "services/ca/generate.h"
#include "services/pki/certificate_parser.h"

namespace rotor::app::testing {

TestCertificate MakeCertificate(const std::string& cn, Time not_before, Time not_after) {
  auto pems = ca::GenerateSelfSignedCa(cn, not_before, not_after);
  EXPECT_TRUE(pems.ok()) << pems.status().ToString();
  auto info = pki::ParseCertificate(pems->first);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return {pems->first, info->fingerprint};
}

Principal Admin() { return {"alice", Role::kAdmin, ""}; }
Principal Operator() { return {"oscar", Role::kOperator, ""}; }
Principal Auditor() { return {"audrey", Role::kAuditor, ""}; }
Principal AgentRole() { return AgentOf("a1"); }
Principal AgentOf(const std::string& agent_id) {
  return {"agent-" + agent_id, Role::kAgent, agent_id};
}
Principal Ingest() { return {"gateway-relay", Role::kIngest, ""}; }

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  ASSERT_TRUE(out.flush()) << path;
}

void EngineFixture::SetUp() {
  dir_ = std::make_unique<TempDir>();
  SetNow("2026-03-01T00:00:00Z");
  Reopen();
}

void EngineFixture::TearDown() { engine_.reset(); }

EngineOptions EngineFixture::Options() {
  EngineOptions o;
  o.data_dir = dir_->Sub("data");
  o.clock = [this] { return TimeFromMicros(now_.load()); };
  o.ca_cert_path = ca_cert_path_;
  o.ca_key_path = ca_key_path_;
  o.max_body_bytes = 64 * 1024;
  return o;
}

void EngineFixture::Reopen() {
  engine_.reset();
  auto opened = Engine::Open(Options());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  engine_ = std::move(*opened);
}

Reply EngineFixture::Call(const std::string& method, const std::string& path,
                          const std::string& body, const Principal& principal,
                          const std::map<std::string, std::string>& query) {
  ApiRequest request;
  request.method = method;
  request.path = path;
  request.body = body;
  request.principal = principal;
  request.query = query;
  ApiResponse response = engine_->Handle(request);
  Reply reply;
  reply.status = response.status;
  reply.body = response.body;
  reply.content_type = response.content_type;
  reply.json = nlohmann::json::parse(response.body, nullptr, false);
  if (reply.json.is_discarded()) reply.json = nullptr;
  return reply;
}

Reply EngineFixture::CallJson(const std::string& method, const std::string& path,
                              const nlohmann::json& body, const Principal& principal) {
  return Call(method, path, body.dump(), principal);
}

double EngineFixture::Metric(const std::string& series) {
  Reply metrics = Call("GET", "/metrics", "", Auditor());
  EXPECT_EQ(metrics.status, 200);
  size_t at = metrics.body.find(series);
  return at == std::string::npos ? -1 : std::stod(metrics.body.substr(at + series.size()));
}

std::string EngineFixture::RegisterServerCert(const std::string& cn) {
  TestCertificate cert =
      MakeCertificate(cn, At("2026-01-01T00:00:00Z"), At("2028-01-01T00:00:00Z"));
  Reply r = CallJson("POST", "/v1/certificates",
                     nlohmann::json{{"kind", "server-web"}, {"pem", cert.pem}}, Operator());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.value("fingerprint", ""), cert.fingerprint);
  return cert.fingerprint;
}

nlohmann::json EngineFixture::ReportJson(const std::string& report_id, const std::string& agent_id,
                                         const char* reported_at,
                                         const std::vector<std::string>& fingerprints,
                                         bool cloud_enabled, const std::string& gateway,
                                         const std::string& site) {
  return {{"reportId", report_id},        {"agentId", agent_id},
          {"reportedAt", reported_at},    {"certificateFingerprints", fingerprints},
          {"gatewayId", gateway},         {"site", site},
          {"cloudEnabled", cloud_enabled}};
}

Reply EngineFixture::Report(const std::string& report_id, const std::string& agent_id,
                            const char* reported_at, const std::vector<std::string>& fingerprints,
                            bool cloud_enabled, const std::string& gateway,
                            const std::string& site) {
  return CallJson(
      "POST", "/v1/reports",
      ReportJson(report_id, agent_id, reported_at, fingerprints, cloud_enabled, gateway, site),
      AgentOf(agent_id));
}

}  // namespace rotor::app::testing
