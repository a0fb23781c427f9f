// Test helpers that run build/bin/rotord as a real process: start it on an
// ephemeral port (it prints `listening on URL` once bound; the helper reads
// that line from a pipe, so no test sleeps or polls), stop it with SIGTERM or
// SIGKILL, and make HTTPS clients for it. Also generates the TLS material
// (the server certificate with the openssl command-line tool) and a tokens
// file with one token per role. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/services/app/engine_test_util.h"
#include "tests/testing/temp_dir.h"

namespace rotor::app::testing {

using rotor::testing::TempDir;

// Files for a TLS daemon under `dir`: server.pem/server.key (self-signed,
// CN and subjectAltName 127.0.0.1) and tokens (digests only) whose secrets
// are: admin-token (alice), operator-token (oscar), auditor-token (audrey),
// ingest-token (gateway-relay, role ingest), agent-token (cred-agent-1, agent
// agent-1), laptop-1-token and laptop-2-token (cred-laptop-N, agent laptop-N).
struct DaemonFiles {
  std::string dir;
  std::string server_cert;
  std::string server_key;
  std::string tokens;
};
DaemonFiles MakeDaemonFiles(const std::string& dir);

// A tokens-file line for `secret` (TokenStore::MakeLine); fails the test on error.
std::string TokenLine(const std::string& secret, const std::string& name, const std::string& role,
                      const std::string& agent_id = "");

// A self-signed CA named `ca_name` and a client certificate it issued the
// way the CEM CA does (subject CN=<agent_id>), valid around the system time,
// written under `dir` as <prefix>-ca.pem, <prefix>-ca.key, <prefix>.pem and
// <prefix>.key. Fails the test on error.
struct ClientCertificateFiles {
  std::string ca_cert;
  std::string ca_key;
  std::string cert;
  std::string key;
};
ClientCertificateFiles IssueClientCertificate(const std::string& dir, const std::string& prefix,
                                              const std::string& ca_name,
                                              const std::string& agent_id);

class RotordProcess {
 public:
  // Starts rotord with `args` (plus --port-file DIR/port) and waits until it
  // listens. Returns nullptr (after a test failure) when it exits first.
  static std::unique_ptr<RotordProcess> Start(const std::vector<std::string>& args,
                                              const std::string& dir);
  ~RotordProcess();

  // Sends SIGTERM and waits; returns the exit code (-1 when killed by a signal).
  int Terminate();
  // Sends SIGKILL and waits.
  void Kill();
  // Sends `signal_number` (e.g. SIGHUP) and returns at once.
  void Signal(int signal_number) const;

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // An HTTPS client trusting `ca_file`, sending `token` as the bearer token.
  std::unique_ptr<httplib::SSLClient> Client(const std::string& ca_file, const std::string& token,
                                             const std::string& client_cert = "",
                                             const std::string& client_key = "") const;

 private:
  int Wait();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string url_;
  int port_ = 0;
};

// POSTs `body` as JSON, expects HTTP `expected` (a test failure otherwise)
// and returns the parsed answer (null when there is none, discarded when it
// is not JSON).
nlohmann::json PostJson(httplib::SSLClient& client, const std::string& path,
                        const nlohmann::json& body, int expected = 200);

// A certificate valid from a month before `now` (the clock the test runs
// rotord on) to a year after it, so a test never ages out.
TestCertificate CertificateValidAround(const std::string& cn, Time now);

// Registers a server-web certificate CN=<cn>, valid around the system clock, through
// `client` (an operator's) and returns it. Fails the test on error.
TestCertificate RegisterServerCertificate(httplib::SSLClient& client, const std::string& cn);

// Initiates replacement `rollout_id` of `old_cert` by `new_cert` through
// `client` (an operator's). Fails the test unless it answers 200.
void InitiateReplacement(httplib::SSLClient& client, const std::string& rollout_id,
                         const TestCertificate& old_cert, const TestCertificate& new_cert);

// A fixture for tests of a TLS rotord: a temporary directory with
// MakeDaemonFiles, SIGPIPE ignored (a client writing to a daemon that went
// away), and the daemon's usual flags.
class RotordTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // --data DIR/data --listen 127.0.0.1:0, TLS and --tokens, then `extra`.
  std::vector<std::string> Args(const std::vector<std::string>& extra = {});
  std::unique_ptr<TempDir> dir_;
  DaemonFiles files_;
};

// The path of the rotord binary under test.
std::string RotordPath();

}  // namespace rotor::app::testing
