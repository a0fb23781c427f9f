// rotord's CEM issuing CA through the real daemon: an agent POSTs a CSR and
// gets a certificate that OpenSSL verifies against the CA; after a
// revocation, the CRL served at GET /v1/crl makes X509_verify_cert refuse it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "services/ca/generate.h"
#include "tests/services/app/engine_test_util.h"
#include "tests/services/ca/ca_test_util.h"
#include "tests/services/rotord/rotord_process.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class RotordPkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>();
    files_ = MakeDaemonFiles(dir_->path());
    auto pems = ca::GenerateSelfSignedCa("Rotor CEM Issuing CA", At("2026-01-01T00:00:00Z"),
                                         At("2031-01-01T00:00:00Z"));
    ASSERT_TRUE(pems.ok());
    ca_pem_ = pems->first;
    WriteFile(dir_->Sub("ca.pem"), pems->first);
    WriteFile(dir_->Sub("ca.key"), pems->second);
  }

  std::unique_ptr<RotordProcess> StartDaemon() {
    return RotordProcess::Start(
        {"--data", dir_->Sub("data"), "--listen", "127.0.0.1:0", "--tls-cert", files_.server_cert,
         "--tls-key", files_.server_key, "--tokens", files_.tokens, "--ca-cert",
         dir_->Sub("ca.pem"), "--ca-key", dir_->Sub("ca.key"), "--virtual-clock"},
        dir_->path());
  }

  std::unique_ptr<TempDir> dir_;
  DaemonFiles files_;
  std::string ca_pem_;
};

TEST_F(RotordPkiTest, SignsCsrsAndServesACrlThatRevokes) {
  auto rotord = StartDaemon();
  ASSERT_NE(rotord, nullptr);
  auto admin = rotord->Client(files_.server_cert, "admin-token");
  auto ingest = rotord->Client(files_.server_cert, "ingest-token");
  auto agent = rotord->Client(files_.server_cert, "laptop-2-token");
  auto op = rotord->Client(files_.server_cert, "operator-token");
  // The virtual clock is admin-only; an operator gets 403.
  PostJson(*op, "/v1/clock", {{"now", "2026-03-01T00:00:00Z"}}, 403);
  PostJson(*admin, "/v1/clock", {{"now", "2026-03-01T00:00:00Z"}});

  for (const char* id : {"laptop-1", "laptop-2"}) {
    PostJson(*ingest, "/v1/reports",
             {{"reportId", std::string("r-") + id},
              {"agentId", id},
              {"reportedAt", "2026-02-28T00:00:00Z"},
              {"cloudEnabled", true}});
  }
  PostJson(*op, "/v1/renewals", {{"rollout_id", "renew-1"}, {"target", "cem-agent-certificates"}});

  std::map<std::string, std::string> certs;
  for (const char* id : {"laptop-1", "laptop-2"}) {
    auto csr = ca::MakeCsr(id);
    ASSERT_TRUE(csr.ok());
    auto own = rotord->Client(files_.server_cert, std::string(id) + "-token");
    json issued =
        PostJson(*own, std::string("/v1/agents/") + id + "/csr", {{"csr_pem", csr->first}});
    ASSERT_TRUE(issued.is_object());
    EXPECT_EQ(issued["rollout_id"], "renew-1");
    EXPECT_EQ(issued["issuer_certificate_pem"], ca_pem_);
    EXPECT_EQ(issued["events"][0]["event_type"], "rotor.v1.AgentCertificateRenewed");
    EXPECT_EQ(issued["events"][0]["payload"]["issued_by_rotor"], true);
    EXPECT_EQ(issued["events"][0]["actor"], std::string("cred-") + id);
    certs[id] = issued["certificate_pem"];
    ca::testing::VerifyInput in;
    in.ca_pem = ca_pem_;
    in.cert_pem = certs[id];
    in.at = At("2026-03-02T00:00:00Z");
    EXPECT_EQ(ca::testing::Verify(in), X509_V_OK);
  }

  PostJson(*op, "/v1/agents/laptop-1/revoke", {{"reason_code", 1}});
  auto pem = agent->Get("/v1/crl?format=pem");
  ASSERT_TRUE(pem);
  ASSERT_EQ(pem->status, 200) << pem->body;
  auto der = agent->Get("/v1/crl");
  ASSERT_TRUE(der);
  ASSERT_EQ(der->status, 200);
  EXPECT_EQ(der->get_header_value("Content-Type"), "application/pkix-crl");
  ca::X509CrlPtr parsed = ca::testing::ParseCrlDer(der->body);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(parsed.get())), 1);

  ca::testing::VerifyInput revoked;
  revoked.ca_pem = ca_pem_;
  revoked.cert_pem = certs["laptop-1"];
  revoked.crl_pems = {pem->body};
  revoked.at = At("2026-03-02T00:00:00Z");
  EXPECT_EQ(ca::testing::Verify(revoked), X509_V_ERR_CERT_REVOKED);
  ca::testing::VerifyInput good = revoked;
  good.cert_pem = certs["laptop-2"];
  EXPECT_EQ(ca::testing::Verify(good), X509_V_OK)
      << ca::testing::VerifyErrorString(ca::testing::Verify(good));

  // The clock never goes before the latest event.
  PostJson(*admin, "/v1/clock", {{"now", "2026-01-01T00:00:00Z"}}, 412);
  EXPECT_EQ(rotord->Terminate(), 0);
}

}  // namespace
}  // namespace rotor::app::testing
