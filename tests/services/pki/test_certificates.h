// Test certificates made at test time with OpenSSL: a fresh key and a
// self-signed X.509 v3 certificate with the chosen subject, serial and
// validity. No private key is ever checked in. Test-only. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/time.h"

namespace rotor::testing {

enum class TestKeyType { kEcP256, kRsa2048, kEd25519 };

struct TestCertificateOptions {
  std::string common_name = "rotor-test";
  std::string organization;  // omitted when empty
  uint64_t serial = 1;
  Time not_before;
  Time not_after;
  TestKeyType key = TestKeyType::kEcP256;
};

struct TestCertificate {
  std::string pem;
  std::string der;
};

// Generates a self-signed certificate. Fails the running test (ADD_FAILURE)
// and returns empty bytes when OpenSSL fails.
TestCertificate MakeTestCertificate(const TestCertificateOptions& options);

}  // namespace rotor::testing
