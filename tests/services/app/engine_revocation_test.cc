// Revocation through the Engine's routes: every RFC 5280 reason code is taken
// through POST /v1/agents/{id}/revoke and then GET /v1/crl; 7 and 8 are
// refused at revoke and append nothing, and a reason 8 that an earlier version
// wrote into the log never breaks the CRL; OCSP answers are signed once per
// request and ledger version.
#include <gtest/gtest.h>
#include <openssl/ocsp.h>

#include "events/codec.h"
#include "services/ca/generate.h"
#include "tests/services/app/engine_test_util.h"
#include "tests/services/ca/ca_test_util.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class EngineRevocationTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    auto pems = ca::GenerateSelfSignedCa("Rotor CEM Issuing CA", At("2026-01-01T00:00:00Z"),
                                         At("2031-01-01T00:00:00Z"));
    ASSERT_TRUE(pems.ok());
    ca_cert_path_ = dir_->Sub("ca.pem");
    ca_key_path_ = dir_->Sub("ca.key");
    WriteFile(ca_cert_path_, pems->first);
    WriteFile(ca_key_path_, pems->second);
    ca_pem_ = pems->first;
    Reopen();
  }

  // Enrolls `agent` and returns its certificate's serial.
  std::string Enroll(const std::string& agent) {
    EXPECT_EQ(Report("rep-" + agent, agent, "2026-02-28T00:00:00Z", {}, true).status, 200);
    EXPECT_EQ(CallJson("POST", "/v1/renewals",
                       {{"rollout_id", "renew-" + agent},
                        {"target", "cem-agent-certificates"},
                        {"agent_ids", {agent}}})
                  .status,
              200);
    auto csr = ca::MakeCsr(agent);
    EXPECT_TRUE(csr.ok());
    Reply issued = CallJson("POST", "/v1/agents/" + agent + "/csr", {{"csr_pem", csr->first}});
    EXPECT_EQ(issued.status, 200) << issued.body;
    pems_[agent] = issued.json.value("certificate_pem", "");
    return issued.json.value("serial_hex", "");
  }

  // A DER OCSP request about `agent`'s enrolled certificate, with a nonce
  // when `nonce`.
  std::string OcspRequest(const std::string& agent, bool nonce = false) {
    ca::X509Ptr leaf = ca::testing::ParseCertPem(pems_[agent]);
    ca::X509Ptr issuer = ca::testing::ParseCertPem(ca_pem_);
    ca::OcspRequestPtr req(OCSP_REQUEST_new());
    OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), leaf.get(), issuer.get());
    EXPECT_NE(OCSP_request_add0_id(req.get(), id), nullptr);
    if (nonce) {
      EXPECT_EQ(OCSP_request_add1_nonce(req.get(), nullptr, 16), 1);
    }
    return ca::ToDer("request", req.get(), i2d_OCSP_REQUEST).value();
  }

  // The certificate status (V_OCSP_CERTSTATUS_*) in a DER OCSP response; -1
  // when it has none.
  static int OcspStatus(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ca::OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (resp == nullptr) return -1;
    ca::OcspBasicRespPtr basic(OCSP_response_get1_basic(resp.get()));
    OCSP_SINGLERESP* single = basic == nullptr ? nullptr : OCSP_resp_get0(basic.get(), 0);
    int reason = 0;
    return single == nullptr ? -1
                             : OCSP_single_get0_status(single, &reason, nullptr, nullptr, nullptr);
  }

  std::string Ocsp(const std::string& der) {
    Reply r = Call("POST", "/ocsp", der, Principal{});
    EXPECT_EQ(r.status, 200);
    return r.body;
  }

  std::string ca_pem_;
  std::map<std::string, std::string> pems_;  // agent -> its certificate (PEM)

  // GET /v1/crl as "serial:reason" entries (reason -1 when it has none).
  std::map<std::string, long> Crl() {
    Reply crl = Call("GET", "/v1/crl");
    EXPECT_EQ(crl.status, 200) << crl.body;
    ca::X509CrlPtr parsed = ca::testing::ParseCrlDer(crl.body);
    EXPECT_NE(parsed, nullptr);
    std::map<std::string, long> out;
    if (parsed == nullptr) return out;
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(parsed.get());
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
      X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
      auto* reason = static_cast<ASN1_ENUMERATED*>(
          X509_REVOKED_get_ext_d2i(r, NID_crl_reason, nullptr, nullptr));
      out[ca::SerialHexOf(X509_REVOKED_get0_serialNumber(r)).value()] =
          reason == nullptr ? -1 : ASN1_ENUMERATED_get(reason);
      ASN1_ENUMERATED_free(reason);
    }
    return out;
  }
};

TEST_F(EngineRevocationTest, EveryReasonCodeGoesThroughRevokeThenTheCrl) {
  std::map<std::string, long> expected;
  for (int reason = 0; reason <= 10; ++reason) {
    std::string agent = "agent-" + std::to_string(reason);
    std::string serial = Enroll(agent);
    ASSERT_FALSE(serial.empty());
    uint64_t head = engine_->Head();
    Reply revoked =
        CallJson("POST", "/v1/agents/" + agent + "/revoke", {{"reason_code", reason}}, Operator());
    if (reason == 7 || reason == 8) {
      EXPECT_EQ(revoked.status, 400) << reason << ": " << revoked.body;
      EXPECT_NE(revoked.body.find("reason code " + std::to_string(reason)), std::string::npos)
          << revoked.body;
      EXPECT_EQ(engine_->Head(), head) << "a refused revocation appended events";
    } else {
      EXPECT_EQ(revoked.status, 200) << reason << ": " << revoked.body;
      expected[serial] = reason == 0 ? -1 : reason;  // 0 is written as no reasonCode
    }
    EXPECT_EQ(Crl(), expected) << "after reason " << reason;
  }
}

TEST_F(EngineRevocationTest, AReasonEightWrittenByAnEarlierVersionIsListedAsUnspecified) {
  std::string serial = Enroll("agent-old");
  ASSERT_FALSE(serial.empty());
  // As the API of earlier versions appended it.
  AppendRequest request;
  request.stream_id = "agent-agent-old";
  CertificateRevoked legacy{"agent-old", "", 8, serial, At("2026-03-01T00:00:00Z")};
  request.events.push_back(MakeNewEvent(legacy, At("2026-03-01T00:00:00Z"), "oscar"));
  ASSERT_TRUE(engine_->log().Append(std::move(request)).ok());
  EXPECT_EQ(Crl(), (std::map<std::string, long>{{serial, -1}}));
  // The public CRL answers without a credential.
  Reply anonymous = Call("GET", "/pki/cem.crl", "", Principal{});
  EXPECT_EQ(anonymous.status, 200) << anonymous.body;
  EXPECT_EQ(anonymous.content_type, "application/pkix-crl");
}

// Equal requests without a nonce get the same signed bytes (ECDSA signatures
// differ every time they are made) until the ledger changes or the answer is
// half its validity old; a request with a nonce is always signed anew.
TEST_F(EngineRevocationTest, OcspAnswersAreSignedOnceUntilTheLedgerChanges) {
  ASSERT_FALSE(Enroll("agent-a").empty());
  std::string request = OcspRequest("agent-a");
  std::string first = Ocsp(request);
  EXPECT_EQ(OcspStatus(first), V_OCSP_CERTSTATUS_GOOD);
  SetNow("2026-03-01T00:20:00Z");
  EXPECT_EQ(Ocsp(request), first);
  std::string with_nonce = OcspRequest("agent-a", true);
  EXPECT_NE(Ocsp(with_nonce), Ocsp(with_nonce));

  ASSERT_FALSE(Enroll("agent-b").empty());  // the ledger changed: signed anew
  std::string second = Ocsp(request);
  EXPECT_NE(second, first);
  EXPECT_EQ(OcspStatus(second), V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(Ocsp(request), second);

  ASSERT_EQ(CallJson("POST", "/v1/agents/agent-a/revoke", {{"reason_code", 1}}, Operator()).status,
            200);
  std::string revoked = Ocsp(request);
  EXPECT_EQ(OcspStatus(revoked), V_OCSP_CERTSTATUS_REVOKED);
  SetNow("2026-03-01T00:49:00Z");
  EXPECT_EQ(Ocsp(request), revoked);
  SetNow("2026-03-01T00:51:00Z");  // half the hour of validity has passed
  std::string later = Ocsp(request);
  EXPECT_NE(later, revoked);
  EXPECT_EQ(OcspStatus(later), V_OCSP_CERTSTATUS_REVOKED);
}

}  // namespace
}  // namespace rotor::app::testing
