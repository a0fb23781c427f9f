#include "tests/services/rotord/rotord_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "services/ca/certificate_authority.h"
#include "services/ca/generate.h"
#include "services/http/tokens.h"
#include "tests/services/app/engine_test_util.h"

namespace rotor::app::testing {

std::string RotordPath() { return ROTORD_PATH; }

std::string TokenLine(const std::string& secret, const std::string& name, const std::string& role,
                      const std::string& agent_id) {
  Result<std::string> line =
      http::TokenStore::MakeLine(secret, name, ParseRole(role).value(), agent_id);
  EXPECT_TRUE(line.ok()) << line.status().ToString();
  return line.ok() ? *line : "";
}

DaemonFiles MakeDaemonFiles(const std::string& dir) {
  DaemonFiles f;
  f.dir = dir;
  f.server_cert = dir + "/server.pem";
  f.server_key = dir + "/server.key";
  f.tokens = dir + "/tokens";
  std::string command = std::string(ROTOR_OPENSSL_EXECUTABLE) +
                        " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
                        " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                        f.server_key + " -out " + f.server_cert + " 2>" + dir + "/openssl.log";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  WriteFile(f.tokens, "# sha256:<hex> name role [agent-id]\n" +
                          TokenLine("admin-token", "alice", "admin") +
                          TokenLine("operator-token", "oscar", "operator") +
                          TokenLine("auditor-token", "audrey", "auditor") +
                          TokenLine("ingest-token", "gateway-relay", "ingest") +
                          TokenLine("agent-token", "cred-agent-1", "agent", "agent-1") +
                          TokenLine("laptop-1-token", "cred-laptop-1", "agent", "laptop-1") +
                          TokenLine("laptop-2-token", "cred-laptop-2", "agent", "laptop-2"));
  return f;
}

ClientCertificateFiles IssueClientCertificate(const std::string& dir, const std::string& prefix,
                                              const std::string& ca_name,
                                              const std::string& agent_id) {
  ClientCertificateFiles f{dir + "/" + prefix + "-ca.pem", dir + "/" + prefix + "-ca.key",
                           dir + "/" + prefix + ".pem", dir + "/" + prefix + ".key"};
  Time now = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  auto ca_pems = ca::GenerateSelfSignedCa(ca_name, now - std::chrono::hours(24),
                                          now + std::chrono::hours(240));
  EXPECT_TRUE(ca_pems.ok());
  if (!ca_pems.ok()) return f;
  auto authority = ca::CertificateAuthority::LoadFromPem(ca_pems->first, ca_pems->second);
  EXPECT_TRUE(authority.ok()) << authority.status().ToString();
  auto csr = ca::MakeCsr(agent_id);
  EXPECT_TRUE(csr.ok());
  if (!authority.ok() || !csr.ok()) return f;
  ca::IssueOptions issue;
  issue.agent_id = agent_id;
  issue.not_before = now - std::chrono::hours(1);
  issue.validity = std::chrono::hours(48);
  issue.serial_hex = "01";
  issue.now = now;
  auto cert = (*authority)->SignCsr(csr->first, issue);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  if (!cert.ok()) return f;
  WriteFile(f.ca_cert, ca_pems->first);
  WriteFile(f.ca_key, ca_pems->second);
  WriteFile(f.cert, cert->pem);
  WriteFile(f.key, csr->second);
  return f;
}

TestCertificate CertificateValidAround(const std::string& cn, Time now) {
  return MakeCertificate(cn, now - std::chrono::days(30), now + std::chrono::days(365));
}

TestCertificate RegisterServerCertificate(httplib::SSLClient& client, const std::string& cn) {
  TestCertificate cert = CertificateValidAround(
      cn, std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now()));
  auto r = client.Post("/v1/certificates",
                       nlohmann::json{{"kind", "server-web"}, {"pem", cert.pem}}.dump(),
                       "application/json");
  EXPECT_TRUE(r) << httplib::to_string(r.error());
  if (r) {
    EXPECT_EQ(r->status, 200) << r->body;
  }
  return cert;
}

void InitiateReplacement(httplib::SSLClient& client, const std::string& rollout_id,
                         const TestCertificate& old_cert, const TestCertificate& new_cert) {
  auto r = client.Post("/v1/replacements",
                       nlohmann::json{{"rollout_id", rollout_id},
                                      {"old_fingerprint", old_cert.fingerprint},
                                      {"new_fingerprint", new_cert.fingerprint}}
                           .dump(),
                       "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 200) << r->body;
}

void RotordTest::SetUp() {
  signal(SIGPIPE, SIG_IGN);
  dir_ = std::make_unique<TempDir>();
  files_ = MakeDaemonFiles(dir_->path());
}

std::vector<std::string> RotordTest::Args(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--data",     dir_->Sub("data"),  "--listen",  "127.0.0.1:0",
                                   "--tls-cert", files_.server_cert, "--tls-key", files_.server_key,
                                   "--tokens",   files_.tokens};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::unique_ptr<RotordProcess> RotordProcess::Start(const std::vector<std::string>& args,
                                                    const std::string& dir) {
  std::string port_file = dir + "/port";
  std::remove(port_file.c_str());
  std::vector<std::string> argv_strings = {RotordPath()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  argv_strings.push_back("--port-file");
  argv_strings.push_back(port_file);
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::string log_path = dir + "/rotord.log";

  int pipe_fds[2];  // close-on-exec: no other child started meanwhile inherits it
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return nullptr;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  auto process = std::unique_ptr<RotordProcess>(new RotordProcess());
  process->pid_ = pid;
  process->stdout_fd_ = pipe_fds[0];
  // Blocks until rotord prints its line (or exits: EOF).
  std::string line;
  char c = 0;
  while (read(process->stdout_fd_, &c, 1) == 1 && c != '\n') line.push_back(c);
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0) {
    std::ifstream log(log_path);
    std::stringstream text;
    text << log.rdbuf();
    ADD_FAILURE() << "rotord did not start (stdout '" << line << "'):\n" << text.str();
    process->Wait();
    return nullptr;
  }
  process->url_ = line.substr(prefix.size());
  process->port_ = std::stoi(process->url_.substr(process->url_.rfind(':') + 1));
  std::ifstream written(port_file);
  std::string from_file;
  std::getline(written, from_file);
  EXPECT_EQ(from_file, process->url_) << "--port-file holds the URL";
  return process;
}

RotordProcess::~RotordProcess() {
  if (pid_ > 0) Kill();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

int RotordProcess::Wait() {
  int status = 0;
  if (waitpid(pid_, &status, 0) != pid_) return -1;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int RotordProcess::Terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  return Wait();
}

void RotordProcess::Signal(int signal_number) const {
  if (pid_ > 0) kill(pid_, signal_number);
}

void RotordProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Wait();
}

std::unique_ptr<httplib::SSLClient> RotordProcess::Client(const std::string& ca_file,
                                                          const std::string& token,
                                                          const std::string& client_cert,
                                                          const std::string& client_key) const {
  auto client = client_cert.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port_)
                                    : std::make_unique<httplib::SSLClient>("127.0.0.1", port_,
                                                                           client_cert, client_key);
  client->set_ca_cert_path(ca_file.c_str());
  client->enable_server_certificate_verification(true);
  if (!token.empty()) client->set_bearer_token_auth(token.c_str());
  client->set_connection_timeout(std::chrono::seconds(10));
  client->set_read_timeout(std::chrono::seconds(60));
  return client;
}

nlohmann::json PostJson(httplib::SSLClient& client, const std::string& path,
                        const nlohmann::json& body, int expected) {
  auto r = client.Post(path, body.dump(), "application/json");
  EXPECT_TRUE(r) << path;
  if (!r) return nullptr;
  EXPECT_EQ(r->status, expected) << path << ": " << r->body;
  return nlohmann::json::parse(r->body, nullptr, false);
}

}  // namespace rotor::app::testing
