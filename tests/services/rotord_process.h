// Test helpers that run build/bin/rotord as a real process: start it on an
// ephemeral port (it prints `listening on URL` once bound; the helper reads
// that line from a pipe, so no test sleeps or polls), stop it with SIGTERM or
// SIGKILL, and make HTTPS clients for it. Also generates the TLS material
// (the server certificate with the openssl command-line tool) and a tokens
// file with one token per role. Test-only.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rotor::app::testing {

// Files for a TLS daemon under `dir`: server.pem/server.key (self-signed,
// CN and subjectAltName 127.0.0.1) and tokens (admin-token, operator-token,
// auditor-token, agent-token).
struct DaemonFiles {
  std::string dir;
  std::string server_cert;
  std::string server_key;
  std::string tokens;
};
DaemonFiles MakeDaemonFiles(const std::string& dir);

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

  const std::string& url() const { return url_; }
  int port() const { return port_; }
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

// The path of the rotord binary under test.
std::string RotordPath();

}  // namespace rotor::app::testing
