// CrlCache and its RevocationLedger on a real event log in memory: what the
// CRL lists after revocations (every still-valid certificate of the agent,
// superseded ones included), that events written by earlier versions never
// break it, and that it is signed again only when something was revoked.
#include "services/app/crl_cache.h"

#include <gtest/gtest.h>

#include "events/codec.h"
#include "events/memory_event_log.h"
#include "tests/services/ca/ca_test_util.h"

namespace rotor::app {
namespace {

using ca::testing::At;

std::string Fp(char c) { return std::string(64, c); }

AgentCertificateRenewed Renewed(const std::string& agent, char fp, const std::string& serial,
                                const char* not_after, bool ours = true) {
  AgentCertificateRenewed e;
  e.rollout_id = "renew-1";
  e.agent_id = agent;
  e.new_fingerprint = Fp(fp);
  e.serial_hex = serial;
  e.not_after = At(not_after);
  e.issued_by_rotor = ours;
  return e;
}

class CrlCacheTest : public ::testing::Test {
 protected:
  void Append(const Event& event) {
    AppendRequest request;
    request.stream_id = "s-" + std::to_string(++streams_);
    request.events.push_back(MakeNewEvent(event, At("2026-03-01T00:00:00Z"), "test"));
    ASSERT_TRUE(log_.Append(std::move(request)).ok());
  }

  // The CRL's entries as "serial:reason" (reason -1 when it has none).
  std::vector<std::string> Listed(const SignedCrl& crl) {
    ca::X509CrlPtr parsed = ca::testing::ParseCrlDer(crl.crl.der);
    EXPECT_NE(parsed, nullptr);
    std::vector<std::string> out;
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(parsed.get());
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
      X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
      auto* reason = static_cast<ASN1_ENUMERATED*>(
          X509_REVOKED_get_ext_d2i(r, NID_crl_reason, nullptr, nullptr));
      long code = reason == nullptr ? -1 : ASN1_ENUMERATED_get(reason);
      ASN1_ENUMERATED_free(reason);
      out.push_back(ca::SerialHexOf(X509_REVOKED_get0_serialNumber(r)).value() + ":" +
                    std::to_string(code));
    }
    return out;
  }

  ca::testing::TestCa ca_ = ca::testing::MakeTestCa();
  MemoryEventLog log_;
  CrlCache cache_{log_, *ca_.ca, "CN=Rotor Test CEM CA"};
  int streams_ = 0;
};

TEST_F(CrlCacheTest, RevokingAnAgentListsEveryStillValidCertificateItWasIssued) {
  Append(Renewed("a1", '1', "01", "2026-06-01T00:00:00Z"));  // superseded by 02
  Append(Renewed("a1", '2', "02", "2026-07-01T00:00:00Z"));
  Append(Renewed("a1", '3', "03", "2026-03-02T00:00:00Z"));         // expired before the revocation
  Append(Renewed("a1", '4', "04", "2026-07-01T00:00:00Z", false));  // issued elsewhere
  Append(Renewed("a2", '5', "05", "2026-07-01T00:00:00Z"));
  Append(CertificateRevoked{"a1", Fp('2'), 1, "02", At("2026-03-05T00:00:00Z")});
  auto crl = cache_.Get(At("2026-03-10T00:00:00Z"));
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  EXPECT_EQ(Listed(*crl), (std::vector<std::string>{"01:1", "02:1"}));
  EXPECT_EQ(crl->entries, 2u);

  EXPECT_EQ(cache_.Lookup("01")->status, ca::CertStatus::kRevoked);
  EXPECT_EQ(cache_.Lookup("0002")->revoked_at, At("2026-03-05T00:00:00Z"));
  EXPECT_EQ(cache_.Lookup("02")->reason_code, 1);
  EXPECT_EQ(cache_.Lookup("03")->status, ca::CertStatus::kGood);
  EXPECT_EQ(cache_.Lookup("04")->status, ca::CertStatus::kUnknown);
  EXPECT_EQ(cache_.Lookup("05")->status, ca::CertStatus::kGood);
  EXPECT_EQ(cache_.Lookup("99")->status, ca::CertStatus::kUnknown);
  EXPECT_EQ(cache_.Lookup("not hex")->status, ca::CertStatus::kUnknown);
}

TEST_F(CrlCacheTest, ASerialOfAnotherIssuerIsNeverOurs) {
  Append(Renewed("a1", '1', "01", "2026-06-01T00:00:00Z"));
  Append(CertificateRevoked{"a1", Fp('1'), 1, "01", At("2026-03-05T00:00:00Z")});
  EXPECT_EQ(cache_.LookupIssued("CN=Rotor Test CEM CA", "01")->status, ca::CertStatus::kRevoked);
  EXPECT_EQ(cache_.LookupIssued("CN=Another CA", "01")->status, ca::CertStatus::kUnknown);
  EXPECT_EQ(cache_.LookupIssued("CN=Rotor Test CEM CA", "02")->status, ca::CertStatus::kUnknown);
}

TEST_F(CrlCacheTest, RegisteredCertificatesOfThisIssuerCountAsOurs) {
  CertificateRegistered ours;
  ours.fingerprint = Fp('1');
  ours.kind = CertificateKind::kCemAgent;
  ours.issuer = "CN=Rotor Test CEM CA";
  ours.serial_hex = "0a";
  ours.not_after = At("2026-09-01T00:00:00Z");
  ours.agent_id = "a1";
  CertificateRegistered theirs = ours;
  theirs.fingerprint = Fp('2');
  theirs.issuer = "CN=Someone Else";
  theirs.serial_hex = "0b";
  theirs.agent_id = "a2";
  Append(ours);
  Append(theirs);
  Append(CertificateRevoked{"a1", Fp('1'), 0, "0a", At("2026-03-05T00:00:00Z")});
  Append(CertificateRevoked{"a2", Fp('2'), 0, "0b", At("2026-03-05T00:00:00Z")});
  auto crl = cache_.Get(At("2026-03-10T00:00:00Z"));
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  EXPECT_EQ(Listed(*crl), (std::vector<std::string>{"0a:-1"}));  // reason 0: no extension
}

TEST_F(CrlCacheTest, ReasonsEarlierVersionsAcceptedNeverBreakTheCrl) {
  const uint32_t reasons[] = {8, 7, 42};
  for (uint32_t i = 0; i < 3; ++i) {
    std::string agent = "a" + std::to_string(i);
    std::string serial = "0" + std::to_string(i + 1);
    Append(Renewed(agent, static_cast<char>('1' + i), serial, "2026-07-01T00:00:00Z"));
    Append(CertificateRevoked{agent, Fp(static_cast<char>('1' + i)), reasons[i], serial,
                              At("2026-03-05T00:00:00Z")});
  }
  auto crl = cache_.Get(At("2026-03-10T00:00:00Z"));
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  // Still revoked, with reason unspecified (no reasonCode extension).
  EXPECT_EQ(Listed(*crl), (std::vector<std::string>{"01:-1", "02:-1", "03:-1"}));
  EXPECT_EQ(cache_.Lookup("01")->status, ca::CertStatus::kRevoked);
  EXPECT_EQ(cache_.Lookup("01")->reason_code, 0);
}

TEST_F(CrlCacheTest, SignsAgainOnlyWhenSomethingIsRevokedOrTheRefreshIsDue) {
  Append(Renewed("a1", '1', "01", "2026-07-01T00:00:00Z"));
  auto first = cache_.Get(At("2026-03-10T00:00:00Z"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->this_update, At("2026-03-10T00:00:00Z"));
  EXPECT_EQ(first->next_update, At("2026-03-17T00:00:00Z"));
  EXPECT_EQ(first->etag.size(), 66u);
  Append(Renewed("a2", '2', "02", "2026-07-01T00:00:00Z"));  // not a revocation
  auto same = cache_.Get(At("2026-03-10T00:10:00Z"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->etag, first->etag);
  EXPECT_EQ(same->crl.der, first->crl.der);

  Append(CertificateRevoked{"a1", Fp('1'), 4, "01", At("2026-03-10T00:15:00Z")});
  auto revoked = cache_.Get(At("2026-03-10T00:20:00Z"));
  ASSERT_TRUE(revoked.ok());
  EXPECT_NE(revoked->etag, first->etag);
  EXPECT_GT(revoked->crl_number, first->crl_number);
  EXPECT_EQ(Listed(*revoked), (std::vector<std::string>{"01:4"}));

  auto refreshed = cache_.Get(At("2026-03-10T01:20:00Z"));  // the default refresh is 1 h
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->this_update, At("2026-03-10T01:20:00Z"));
  EXPECT_GT(refreshed->crl_number, revoked->crl_number);
}

}  // namespace
}  // namespace rotor::app
