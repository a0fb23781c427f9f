// Revocation reaches the gateways: a real rotord on loopback publishes its
// CRL, CA certificate and OCSP responder on a plain-HTTP listener without
// credentials, and writes those URLs into the certificates it issues. Clients
// no one here wrote check them: `openssl verify -crl_check -crl_download`
// follows the certificate's CRL distribution point, and `openssl ocsp`
// answers good, revoked (with reason and time) and unknown. Runs on the wall
// clock, because the openssl tools do.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "services/ca/certificate_authority.h"
#include "services/ca/generate.h"
#include "services/ca/serial.h"
#include "tests/services/app/engine_test_util.h"
#include "tests/services/rotord/rotord_process.h"
#include "tests/testing/files.h"
#include "tests/testing/shell.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;
using rotor::testing::RunShell;
using rotor::testing::ShellResult;

// A port the kernel just handed out on 127.0.0.1 (free when this returns):
// the URLs written into certificates must be known before rotord starts.
int EphemeralPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = -1;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

Time Now() { return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now()); }

class RotordRevocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>();
    files_ = MakeDaemonFiles(dir_->path());
    auto pems = ca::GenerateSelfSignedCa("Rotor CEM Issuing CA", Now() - std::chrono::days(1),
                                         Now() + std::chrono::days(3650));
    ASSERT_TRUE(pems.ok());
    ca_pem_ = dir_->Sub("ca.pem");
    WriteFile(ca_pem_, pems->first);
    WriteFile(dir_->Sub("ca.key"), pems->second);
    auto ca = ca::CertificateAuthority::LoadFromPem(pems->first, pems->second);
    ASSERT_TRUE(ca.ok());
    ca_ = std::move(*ca);
    int port = EphemeralPort();
    ASSERT_GT(port, 0);
    pki_ = "http://127.0.0.1:" + std::to_string(port);
    std::vector<std::string> args = {"--data",           dir_->Sub("data"),
                                     "--listen",         "127.0.0.1:0",
                                     "--tls-cert",       files_.server_cert,
                                     "--tls-key",        files_.server_key,
                                     "--tokens",         files_.tokens,
                                     "--ca-cert",        ca_pem_,
                                     "--ca-key",         dir_->Sub("ca.key"),
                                     "--pki-listen",     "127.0.0.1:" + std::to_string(port),
                                     "--crl-url",        pki_ + "/pki/cem.crl",
                                     "--ocsp-url",       pki_ + "/ocsp",
                                     "--ca-issuers-url", pki_ + "/pki/cem-ca.crt"};
    if (client_ca_) {
      args.insert(args.end(), {"--client-ca", ca_pem_});
      IssueOutsideRotor("ops-console", "ops.pem");
    }
    rotord_ = RotordProcess::Start(args, dir_->path());
    ASSERT_NE(rotord_, nullptr);
    op_ = TokenClient("operator-token");
    // Reports come through an ingest principal (a relaying gateway); each
    // agent sends its own CSR with its own token.
    ingest_ = TokenClient("ingest-token");
  }

  void TearDown() override {
    if (rotord_ != nullptr) {
      EXPECT_EQ(rotord_->Terminate(), 0);
    }
  }

  // A client sending `token`; with --client-ca it also presents ops.pem
  // (the handshake then needs a certificate; the token decides).
  std::unique_ptr<httplib::SSLClient> TokenClient(const std::string& token) {
    if (!client_ca_) return rotord_->Client(files_.server_cert, token);
    return rotord_->Client(files_.server_cert, token, dir_->Sub("ops.pem"),
                           dir_->Sub("ops.pem.key"));
  }

  // A certificate for `cn` signed by the CA key but never issued through
  // Rotor (OCSP: unknown), written to DIR/<file> and DIR/<file>.key.
  void IssueOutsideRotor(const std::string& cn, const std::string& file) {
    auto csr = ca::MakeCsr(cn);
    ASSERT_TRUE(csr.ok());
    ca::IssueOptions options;
    options.agent_id = cn;
    options.now = Now();
    options.not_before = options.now;
    options.serial_hex = ca::RandomSerialHex().value();
    auto issued = ca_->SignCsr(csr->first, options);
    ASSERT_TRUE(issued.ok()) << issued.status().ToString();
    WriteFile(dir_->Sub(file), issued->pem);
    WriteFile(dir_->Sub(file + ".key"), csr->second);
  }

  // Reports `agent` as cloud-enabled an hour ago.
  void Report(const std::string& agent) {
    PostJson(*ingest_, "/v1/reports",
             {{"reportId", "r-" + agent},
              {"agentId", agent},
              {"reportedAt", FormatTime(Now() - std::chrono::hours(1))},
              {"cloudEnabled", true}});
  }

  // The agent sends a CSR; the certificate is written to DIR/<file>, its key
  // to DIR/<file>.key. Returns the certificate's serial (hex).
  std::string Enroll(const std::string& agent, const std::string& file) {
    auto csr = ca::MakeCsr(agent);
    EXPECT_TRUE(csr.ok());
    if (!csr.ok()) return "";
    auto own = TokenClient(agent + "-token");
    json issued = PostJson(*own, "/v1/agents/" + agent + "/csr", {{"csr_pem", csr->first}});
    EXPECT_TRUE(issued.is_object() && issued.contains("certificate_pem")) << issued.dump();
    if (!issued.is_object() || !issued.contains("certificate_pem")) return "";
    WriteFile(dir_->Sub(file), issued["certificate_pem"].get<std::string>());
    WriteFile(dir_->Sub(file + ".key"), csr->second);
    return issued["serial_hex"].get<std::string>();
  }

  ShellResult Verify(const std::string& file) {
    return RunShell(std::string(ROTOR_OPENSSL_EXECUTABLE) +
                    " verify -crl_check -crl_download -purpose sslclient -CAfile " + ca_pem_ + " " +
                    dir_->Sub(file) + " 2>&1");
  }

  ShellResult Ocsp(const std::string& file, const std::string& extra = "") {
    return RunShell(std::string(ROTOR_OPENSSL_EXECUTABLE) + " ocsp -url " + pki_ +
                    "/ocsp -issuer " + ca_pem_ + " -CAfile " + ca_pem_ + " -cert " +
                    dir_->Sub(file) + " " + extra + " 2>&1");
  }

  bool client_ca_ = false;  // run rotord with --client-ca (the CEM CA)
  std::unique_ptr<TempDir> dir_;
  DaemonFiles files_;
  std::string ca_pem_;
  std::unique_ptr<ca::CertificateAuthority> ca_;
  std::string pki_;
  std::unique_ptr<RotordProcess> rotord_;
  std::unique_ptr<httplib::SSLClient> op_;
  std::unique_ptr<httplib::SSLClient> ingest_;
};

TEST_F(RotordRevocationTest, OpenSslVerifyFollowsTheCrlDistributionPoint) {
  Report("laptop-1");
  Report("laptop-2");
  PostJson(*op_, "/v1/renewals", {{"rollout_id", "renew-1"}, {"target", "cem-agent-certificates"}});
  Enroll("laptop-1", "old.pem");
  Enroll("laptop-2", "other.pem");
  PostJson(*op_, "/v1/renewals",
           {{"rollout_id", "renew-2"},
            {"target", "cem-agent-certificates"},
            {"agent_ids", {"laptop-1"}}});
  Enroll("laptop-1", "new.pem");

  ShellResult text = RunShell(std::string(ROTOR_OPENSSL_EXECUTABLE) + " x509 -noout -text -in " +
                              dir_->Sub("new.pem"));
  EXPECT_NE(text.output.find("URI:" + pki_ + "/pki/cem.crl"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("OCSP - URI:" + pki_ + "/ocsp"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("CA Issuers - URI:" + pki_ + "/pki/cem-ca.crt"), std::string::npos)
      << text.output;

  for (const char* file : {"old.pem", "new.pem", "other.pem"}) {
    ShellResult ok = Verify(file);
    EXPECT_EQ(ok.exit_code, 0) << file << ": " << ok.output;
    EXPECT_EQ(ok.output, dir_->Sub(file) + ": OK\n");
  }

  PostJson(*op_, "/v1/agents/laptop-1/revoke", {{"reason_code", 1}});
  // The current certificate and the one its renewal superseded are revoked.
  for (const char* file : {"old.pem", "new.pem"}) {
    ShellResult revoked = Verify(file);
    EXPECT_NE(revoked.exit_code, 0) << file << ": " << revoked.output;
    EXPECT_NE(revoked.output.find("certificate revoked"), std::string::npos) << revoked.output;
  }
  ShellResult other = Verify("other.pem");
  EXPECT_EQ(other.exit_code, 0) << other.output;
}

TEST_F(RotordRevocationTest, OpenSslOcspAnswersGoodRevokedAndUnknown) {
  Report("laptop-1");
  Report("laptop-2");
  PostJson(*op_, "/v1/renewals", {{"rollout_id", "renew-1"}, {"target", "cem-agent-certificates"}});
  Enroll("laptop-1", "lost.pem");
  Enroll("laptop-2", "kept.pem");
  // Signed by the same CA key, but never issued through Rotor: unknown.
  IssueOutsideRotor("stranger", "stranger.pem");

  ShellResult good = Ocsp("kept.pem");
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_NE(good.output.find("Response verify OK"), std::string::npos) << good.output;
  EXPECT_NE(good.output.find(dir_->Sub("kept.pem") + ": good"), std::string::npos) << good.output;
  ShellResult unknown = Ocsp("stranger.pem");
  EXPECT_NE(unknown.output.find(dir_->Sub("stranger.pem") + ": unknown"), std::string::npos)
      << unknown.output;

  Time before = ca::TruncateToSeconds(Now());
  PostJson(*op_, "/v1/agents/laptop-1/revoke", {{"reason_code", 1}});
  ShellResult revoked = Ocsp("lost.pem");
  EXPECT_EQ(revoked.exit_code, 0) << revoked.output;
  EXPECT_NE(revoked.output.find("Response verify OK"), std::string::npos) << revoked.output;
  EXPECT_NE(revoked.output.find(dir_->Sub("lost.pem") + ": revoked"), std::string::npos)
      << revoked.output;
  EXPECT_NE(revoked.output.find("Reason: keyCompromise"), std::string::npos) << revoked.output;
  size_t at = revoked.output.find("Revocation Time: ");
  ASSERT_NE(at, std::string::npos) << revoked.output;
  // "Dec  5 07:40:00 2026 GMT": the year of the revocation, and no earlier than it.
  EXPECT_NE(
      revoked.output.find(std::to_string(static_cast<int>(
          std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(before)).year()))),
      std::string::npos);
  ShellResult still_good = Ocsp("kept.pem");
  EXPECT_NE(still_good.output.find(": good"), std::string::npos) << still_good.output;
}

TEST_F(RotordRevocationTest, PublicListenerServesCachedCrlAndCaWithoutCredentials) {
  httplib::Client pki(pki_);
  auto crl = pki.Get("/pki/cem.crl");
  ASSERT_TRUE(crl);
  ASSERT_EQ(crl->status, 200) << crl->body;
  EXPECT_EQ(crl->get_header_value("Content-Type"), "application/pkix-crl");
  std::string etag = crl->get_header_value("ETag");
  std::string modified = crl->get_header_value("Last-Modified");
  EXPECT_EQ(etag.size(), 66u) << etag;
  EXPECT_NE(crl->get_header_value("Cache-Control").find("max-age="), std::string::npos);
  EXPECT_FALSE(crl->get_header_value("Expires").empty());

  auto same = pki.Get("/pki/cem.crl", {{"If-None-Match", etag}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  EXPECT_TRUE(same->body.empty());
  auto since = pki.Get("/pki/cem.crl", {{"If-Modified-Since", modified}});
  ASSERT_TRUE(since);
  EXPECT_EQ(since->status, 304);
  auto other = pki.Get("/pki/cem.crl", {{"If-None-Match", "\"something-else\""}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->body, crl->body);

  auto ca = pki.Get("/pki/cem-ca.crt");
  ASSERT_TRUE(ca);
  EXPECT_EQ(ca->status, 200);
  EXPECT_EQ(ca->get_header_value("Content-Type"), "application/pkix-cert");
  EXPECT_EQ(ca->body, ca_->certificate_der());

  // Nothing else is reachable there, with or without a token.
  auto api = pki.Get("/v1/rollouts", {{"Authorization", "Bearer admin-token"}});
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404) << api->body;

  // The public routes need no token on the main (TLS) listener either.
  auto anonymous = TokenClient("");
  auto tls_crl = anonymous->Get("/pki/cem.crl");
  ASSERT_TRUE(tls_crl);
  EXPECT_EQ(tls_crl->status, 200);

  // A malformed OCSP request gets the malformedRequest response, not a crash.
  auto malformed =
      pki.Post("/ocsp", std::string("not an OCSP request"), "application/ocsp-request");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 200);
  EXPECT_EQ(malformed->body, std::string("\x30\x03\x0a\x01\x01", 5));
  auto bad_get = pki.Get("/ocsp/%%%");
  ASSERT_TRUE(bad_get);
  EXPECT_EQ(bad_get->body, std::string("\x30\x03\x0a\x01\x01", 5));
}

TEST_F(RotordRevocationTest, OcspOverGetIsReadByOpenSsl) {
  Report("laptop-1");
  PostJson(*op_, "/v1/renewals", {{"rollout_id", "renew-1"}, {"target", "cem-agent-certificates"}});
  Enroll("laptop-1", "cert.pem");
  ShellResult request =
      RunShell(std::string(ROTOR_OPENSSL_EXECUTABLE) + " ocsp -no_nonce -issuer " + ca_pem_ +
               " -cert " + dir_->Sub("cert.pem") + " -reqout " + dir_->Sub("req.der") + " 2>&1");
  ASSERT_EQ(request.exit_code, 0) << request.output;
  std::string der = rotor::testing::ReadFile(dir_->Sub("req.der"));
  ASSERT_FALSE(der.empty());
  std::string encoded;
  for (char c : Base64Encode(der)) {
    encoded += c == '/' ? "%2F" : c == '+' ? "%2B" : c == '=' ? "%3D" : std::string(1, c);
  }
  httplib::Client pki(pki_);
  auto answer = pki.Get("/ocsp/" + encoded);
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200);
  EXPECT_EQ(answer->get_header_value("Content-Type"), "application/ocsp-response");
  EXPECT_NE(answer->get_header_value("Cache-Control").find("max-age="), std::string::npos);
  WriteFile(dir_->Sub("resp.der"), answer->body);
  ShellResult read = RunShell(std::string(ROTOR_OPENSSL_EXECUTABLE) + " ocsp -respin " +
                              dir_->Sub("resp.der") + " -issuer " + ca_pem_ + " -CAfile " +
                              ca_pem_ + " -cert " + dir_->Sub("cert.pem") + " 2>&1");
  EXPECT_EQ(read.exit_code, 0) << read.output;
  EXPECT_NE(read.output.find(dir_->Sub("cert.pem") + ": good"), std::string::npos) << read.output;
}

// With --client-ca the CEM CA, an agent's certificate authenticates it; once
// Rotor revokes the agent, that certificate is refused at its next request
// (on the connection it already holds, on a new one, and with a token), and
// another agent's certificate keeps working.
class RotordClientRevocationTest : public RotordRevocationTest {
 protected:
  RotordClientRevocationTest() { client_ca_ = true; }
  // `curl` (a client no one here wrote) GETs /v1/whoami with `file`'s
  // certificate; returns "<status> <body>".
  std::string Curl(const std::string& file) {
    return RunShell("curl -sS --cacert " + files_.server_cert + " --cert " + dir_->Sub(file) +
                    " --key " + dir_->Sub(file + ".key") + " -w ' %{http_code}' " + rotord_->url() +
                    "/v1/whoami 2>&1")
        .output;
  }
};

TEST_F(RotordClientRevocationTest, ARevokedClientCertificateIsRefusedAtOnce) {
  Report("laptop-1");
  Report("laptop-2");
  PostJson(*op_, "/v1/renewals", {{"rollout_id", "renew-1"}, {"target", "cem-agent-certificates"}});
  std::string serial = Enroll("laptop-1", "lost.pem");
  Enroll("laptop-2", "kept.pem");
  ASSERT_FALSE(serial.empty());
  auto lost =
      rotord_->Client(files_.server_cert, "", dir_->Sub("lost.pem"), dir_->Sub("lost.pem.key"));
  lost->set_keep_alive(true);
  auto whoami = lost->Get("/v1/whoami");
  ASSERT_TRUE(whoami) << httplib::to_string(whoami.error());
  ASSERT_EQ(whoami->status, 200) << whoami->body;
  EXPECT_NE(whoami->body.find("laptop-1"), std::string::npos) << whoami->body;
  EXPECT_NE(Curl("kept.pem").find(" 200"), std::string::npos);

  PostJson(*op_, "/v1/agents/laptop-1/revoke", {{"reason_code", 1}});
  auto refused = lost->Get("/v1/whoami");  // the connection opened before
  ASSERT_TRUE(refused) << httplib::to_string(refused.error());
  EXPECT_EQ(refused->status, 401) << refused->body;
  for (const char* says : {"serial", "revoked at", "keyCompromise"}) {
    EXPECT_NE(refused->body.find(says), std::string::npos) << refused->body;
  }
  EXPECT_NE(refused->body.find(serial), std::string::npos) << serial << ": " << refused->body;
  std::string curl = Curl("lost.pem");
  EXPECT_NE(curl.find(" 401"), std::string::npos) << curl;
  EXPECT_NE(curl.find(serial), std::string::npos) << curl;
  auto with_token = rotord_
                        ->Client(files_.server_cert, "operator-token", dir_->Sub("lost.pem"),
                                 dir_->Sub("lost.pem.key"))
                        ->Get("/v1/rollouts");
  ASSERT_TRUE(with_token);
  EXPECT_EQ(with_token->status, 401) << "a token does not launder a revoked certificate";

  std::string kept = Curl("kept.pem");
  EXPECT_NE(kept.find("laptop-2"), std::string::npos) << kept;
  EXPECT_NE(kept.find(" 200"), std::string::npos) << kept;
  auto metrics = op_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("rotor_requests_denied_total{code=\"401\",reason=\"revoked_client_"
                               "certificate\"} 3"),
            std::string::npos)
      << metrics->body;
}

TEST(RotordRevocationFlagsTest, BadPublicationUrlsStopStartupAndSayWhy) {
  TempDir dir;
  struct Case {
    std::string flags;
    std::string says;
  };
  const Case cases[] = {
      {"--ca-cert c.pem --ca-key c.key --crl-url ftp://pki/cem.crl",
       "--crl-url 'ftp://pki/cem.crl' must start with http://"},
      {"--ca-cert c.pem --ca-key c.key --ocsp-url 'http://pki/a,b'",
       "--ocsp-url 'http://pki/a,b' contains a space, comma"},
      {"--ca-issuers-url http://pki/ca.crt", "--ca-issuers-url needs --ca-cert and --ca-key"},
      {"--pki-listen nowhere", "--pki-listen"},
  };
  for (const Case& c : cases) {
    ShellResult run =
        RunShell(RotordPath() + " --data " + dir.Sub("data") + " " + c.flags + " 2>&1");
    EXPECT_EQ(run.exit_code, 2) << c.flags << ": " << run.output;
    EXPECT_NE(run.output.find(c.says), std::string::npos) << c.flags << ": " << run.output;
  }
}

}  // namespace
}  // namespace rotor::app::testing
