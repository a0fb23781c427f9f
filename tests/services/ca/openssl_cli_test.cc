// The `openssl verify -crl_check` command-line tool, run as a real process on
// files in a temporary directory, agrees with Rotor's CA: an issued
// certificate verifies and a revoked one is refused.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/services/ca/ca_test_util.h"
#include "tests/testing/shell.h"
#include "tests/testing/temp_dir.h"

namespace rotor::ca {
namespace {

using Outcome = rotor::testing::ShellResult;

// Runs `openssl verify` at VerifyTime() (never the wall clock).
Outcome OpenSslVerify(const rotor::testing::TempDir& dir, const std::string& cert_file) {
  return rotor::testing::RunShell(
      std::string(ROTOR_OPENSSL_EXECUTABLE) + " verify -crl_check -attime " +
      std::to_string(ToMicros(testing::VerifyTime()) / 1000000) +
      " -purpose sslclient -x509_strict -CAfile " + dir.Sub("ca.pem") + " -CRLfile " +
      dir.Sub("crl.pem") + " " + dir.Sub(cert_file) + " 2>&1");
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

TEST(OpenSslCliTest, VerifyWithCrlCheckAcceptsIssuedAndRefusesRevoked) {
  testing::TestCa ca = testing::MakeTestCa();
  IssuedCertificate kept = testing::Issue(*ca.ca, "agent-kept", 1);
  IssuedCertificate lost = testing::Issue(*ca.ca, "agent-lost", 2);
  auto crl = ca.ca->BuildCrl({{lost.serial_hex, testing::At("2026-03-05T00:00:00Z"), 1}},
                             testing::CrlThisUpdate(), testing::CrlNextUpdate(), 1);
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  rotor::testing::TempDir dir;
  WriteFile(dir.Sub("ca.pem"), ca.cert_pem);
  WriteFile(dir.Sub("crl.pem"), crl->pem);
  WriteFile(dir.Sub("kept.pem"), kept.pem);
  WriteFile(dir.Sub("lost.pem"), lost.pem);

  Outcome ok = OpenSslVerify(dir, "kept.pem");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(ok.output, dir.Sub("kept.pem") + ": OK\n");

  Outcome revoked = OpenSslVerify(dir, "lost.pem");
  EXPECT_NE(revoked.exit_code, 0) << revoked.output;
  EXPECT_NE(revoked.output.find("certificate revoked"), std::string::npos) << revoked.output;
}

}  // namespace
}  // namespace rotor::ca
