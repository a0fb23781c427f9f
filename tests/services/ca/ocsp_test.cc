// The OCSP answer logic (RFC 6960, nonce per RFC 8954): requests built and
// responses checked with OpenSSL's own client API (OCSP_basic_verify,
// OCSP_resp_find_status, OCSP_check_nonce).
#include <gtest/gtest.h>
#include <openssl/ocsp.h>

#include <map>

#include "tests/services/ca/ca_test_util.h"

namespace rotor::ca {
namespace {

using OcspBasicPtr = OcspBasicRespPtr;

const std::string kMalformed("\x30\x03\x0a\x01\x01", 5);
const std::string kInternalError("\x30\x03\x0a\x01\x02", 5);

class OcspTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kept_ = testing::Issue(*ca_.ca, "agent-kept", 1);
    lost_ = testing::Issue(*ca_.ca, "agent-lost", 2);
    stranger_ = testing::Issue(*ca_.ca, "agent-stranger", 3);
    statuses_["01"] = {CertStatus::kGood, {}, 0};
    statuses_["02"] = {CertStatus::kRevoked, testing::At("2026-03-05T12:00:00Z"), 1};
  }

  OcspCertIdPtr IdOf(const IssuedCertificate& cert, const EVP_MD* md = EVP_sha1(),
                     X509* issuer = nullptr) {
    X509Ptr leaf = testing::ParseCertPem(cert.pem);
    X509Ptr ca = testing::ParseCertPem(ca_.cert_pem);
    return OcspCertIdPtr(OCSP_cert_to_id(md, leaf.get(), issuer != nullptr ? issuer : ca.get()));
  }

  // A DER request for `ids`, with a nonce of `nonce_len` random octets (0: none).
  static std::string Request(std::vector<OcspCertIdPtr> ids, int nonce_len = 0) {
    OcspRequestPtr req(OCSP_REQUEST_new());
    for (OcspCertIdPtr& id : ids) {
      EXPECT_NE(OCSP_request_add0_id(req.get(), id.get()), nullptr);
      (void)id.release();
    }
    if (nonce_len > 0) {
      EXPECT_EQ(OCSP_request_add1_nonce(req.get(), nullptr, nonce_len), 1);
    }
    return ToDer("request", req.get(), i2d_OCSP_REQUEST).value();
  }

  std::string Answer(const std::string& der) {
    auto answer = ca_.ca->AnswerOcsp(
        der,
        [this](const std::string& serial) -> Result<SerialStatus> {
          auto it = statuses_.find(serial);
          return it == statuses_.end() ? SerialStatus{} : it->second;
        },
        testing::At("2026-03-10T00:00:00Z"), std::chrono::hours(1));
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer.ok() ? *answer : "";
  }

  // The verified basic response of a successful answer.
  // `flags` for OCSP_basic_verify: OCSP_NOCHECKS skips the issuer checks a
  // client makes (for a CertID of another CA the CA is not the responder).
  OcspBasicPtr Verified(const std::string& der, unsigned long flags = 0) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    OcspResponsePtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    EXPECT_NE(resp, nullptr);
    if (resp == nullptr) return nullptr;
    EXPECT_EQ(OCSP_response_status(resp.get()), OCSP_RESPONSE_STATUS_SUCCESSFUL);
    OcspBasicPtr basic(OCSP_response_get1_basic(resp.get()));
    testing::X509StorePtr store(X509_STORE_new());
    X509Ptr ca = testing::ParseCertPem(ca_.cert_pem);
    X509_STORE_add_cert(store.get(), ca.get());
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                               ToMicros(testing::At("2026-03-10T00:00:00Z")) / 1000000);
    EXPECT_EQ(OCSP_basic_verify(basic.get(), nullptr, store.get(), flags), 1)
        << DrainOpenSslErrors();
    return basic;
  }

  // OCSP_resp_find_status for `cert`: status, reason, revocation time.
  struct Found {
    int status = -2;
    int reason = -2;
    std::string revoked_at;
  };
  Found Find(OCSP_BASICRESP* basic, const IssuedCertificate& cert) {
    OcspCertIdPtr id = IdOf(cert);
    Found f;
    ASN1_GENERALIZEDTIME* rev = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    if (OCSP_resp_find_status(basic, id.get(), &f.status, &f.reason, &rev, &this_update,
                              &next_update) != 1) {
      return f;
    }
    EXPECT_EQ(FormatTime(FromAsn1Time(this_update).value()), "2026-03-10T00:00:00Z");
    EXPECT_EQ(FormatTime(FromAsn1Time(next_update).value()), "2026-03-10T01:00:00Z");
    if (rev != nullptr) f.revoked_at = FormatTime(FromAsn1Time(rev).value());
    return f;
  }

  testing::TestCa ca_ = testing::MakeTestCa();
  IssuedCertificate kept_, lost_, stranger_;
  std::map<std::string, SerialStatus> statuses_;
};

TEST_F(OcspTest, AnswersGoodRevokedWithReasonAndTimeAndUnknown) {
  std::vector<OcspCertIdPtr> ids;
  ids.push_back(IdOf(kept_));
  ids.push_back(IdOf(lost_));
  ids.push_back(IdOf(stranger_));
  OcspBasicPtr basic = Verified(Answer(Request(std::move(ids))));
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(Find(basic.get(), kept_).status, V_OCSP_CERTSTATUS_GOOD);
  Found lost = Find(basic.get(), lost_);
  EXPECT_EQ(lost.status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(lost.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
  EXPECT_EQ(lost.revoked_at, "2026-03-05T12:00:00Z");
  EXPECT_EQ(Find(basic.get(), stranger_).status, V_OCSP_CERTSTATUS_UNKNOWN);
}

TEST_F(OcspTest, ReasonUnspecifiedIsSentAsNoReason) {
  statuses_["02"].reason_code = 0;
  std::vector<OcspCertIdPtr> ids;
  ids.push_back(IdOf(lost_));
  OcspBasicPtr basic = Verified(Answer(Request(std::move(ids))));
  ASSERT_NE(basic, nullptr);
  Found lost = Find(basic.get(), lost_);
  EXPECT_EQ(lost.status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(lost.reason, OCSP_REVOKED_STATUS_NOSTATUS);
}

TEST_F(OcspTest, AnotherIssuersCertIdIsUnknownWhateverItsSerial) {
  testing::TestCa other = testing::MakeTestCa("Another CA");
  X509Ptr other_cert = testing::ParseCertPem(other.cert_pem);
  std::vector<OcspCertIdPtr> ids;
  ids.push_back(IdOf(kept_, EVP_sha1(), other_cert.get()));  // serial 01 is good here
  OcspBasicPtr basic = Verified(Answer(Request(std::move(ids))), OCSP_NOCHECKS);
  ASSERT_NE(basic, nullptr);
  OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), 0);
  ASSERT_NE(single, nullptr);
  EXPECT_EQ(OCSP_single_get0_status(single, nullptr, nullptr, nullptr, nullptr),
            V_OCSP_CERTSTATUS_UNKNOWN);
}

TEST_F(OcspTest, Sha256CertIdsAreMatchedToo) {
  std::vector<OcspCertIdPtr> ids;
  ids.push_back(IdOf(lost_, EVP_sha256()));
  OcspBasicPtr basic = Verified(Answer(Request(std::move(ids))));
  ASSERT_NE(basic, nullptr);
  OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), 0);
  EXPECT_EQ(OCSP_single_get0_status(single, nullptr, nullptr, nullptr, nullptr),
            V_OCSP_CERTSTATUS_REVOKED);
}

TEST_F(OcspTest, EchoesTheNonce) {
  std::vector<OcspCertIdPtr> ids;
  ids.push_back(IdOf(kept_));
  std::string der = Request(std::move(ids), 32);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OcspRequestPtr req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
  OcspBasicPtr basic = Verified(Answer(der));
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(OCSP_check_nonce(req.get(), basic.get()), 1);
  auto info = ParseOcspRequest(der);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_TRUE(info->nonce.has_value());
  EXPECT_EQ(info->nonce->size(), 32u);
  EXPECT_EQ(info->cert_ids.at(0).serial_hex, "01");
  EXPECT_EQ(info->cert_ids.at(0).hash_algorithm, "SHA1");
}

TEST_F(OcspTest, MalformedRequestsGetMalformedRequest) {
  std::vector<OcspCertIdPtr> one;
  one.push_back(IdOf(kept_));
  std::string good = Request(std::move(one));
  std::vector<OcspCertIdPtr> nonce33;
  nonce33.push_back(IdOf(kept_));
  std::vector<OcspCertIdPtr> many;
  for (size_t i = 0; i <= kMaxOcspCertIds; ++i) many.push_back(IdOf(kept_));
  for (const std::string& bad :
       {std::string(), std::string("not DER"), good + "x", good.substr(0, good.size() - 1),
        Request({}), Request(std::move(nonce33), 33), Request(std::move(many))}) {
    EXPECT_EQ(Answer(bad), kMalformed) << bad.size();
    EXPECT_FALSE(ParseOcspRequest(bad).ok());
  }
}

TEST_F(OcspTest, ARequestMayAskAboutAFewCertificatesAtMost) {
  std::vector<OcspCertIdPtr> most;
  for (size_t i = 0; i < kMaxOcspCertIds; ++i) most.push_back(IdOf(kept_));
  std::string answer = Answer(Request(std::move(most)));
  EXPECT_TRUE(IsSuccessfulOcspResponse(answer));
  EXPECT_EQ(OCSP_resp_count(Verified(answer).get()), static_cast<int>(kMaxOcspCertIds));
  std::vector<OcspCertIdPtr> more;
  for (size_t i = 0; i <= kMaxOcspCertIds; ++i) more.push_back(IdOf(kept_));
  Result<OcspRequestInfo> refused = ParseOcspRequest(Request(std::move(more)));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("at most " + std::to_string(kMaxOcspCertIds)),
            std::string::npos)
      << refused.status().message();
  EXPECT_LE(kMaxOcspCertIds, 8u) << "each CertID costs a lookup and a signed entry";
}

TEST_F(OcspTest, ALookupFailureIsInternalError) {
  std::vector<OcspCertIdPtr> ids;
  ids.push_back(IdOf(kept_));
  auto answer = ca_.ca->AnswerOcsp(
      Request(std::move(ids)),
      [](const std::string&) -> Result<SerialStatus> { return Status::IoError("disk"); },
      testing::At("2026-03-10T00:00:00Z"), std::chrono::hours(1));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer, kInternalError);
  EXPECT_FALSE(IsSuccessfulOcspResponse(*answer));
  EXPECT_FALSE(IsSuccessfulOcspResponse(kMalformed));
  EXPECT_FALSE(IsSuccessfulOcspResponse("not DER"));
}

}  // namespace
}  // namespace rotor::ca
