// The trust model through a real rotord over TLS (docs/operations.md, "Trust
// model"): an agent's token or client certificate speaks only for its own
// agent; refusals append nothing and are counted in /metrics; tokens made by
// `rotorctl token create` work after SIGHUP, removed ones stop working, and
// an open GET /v1/stream survives the reloads; a person's client certificate
// mapped in the tokens file (cert-sha256) signs in as that person and role.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/hash.h"
#include "tests/services/app/engine_test_util.h"
#include "tests/services/rotord/rotord_process.h"
#include "tests/testing/files.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

json ReportOf(const std::string& report_id, const std::string& agent_id) {
  return {{"reportId", report_id}, {"agentId", agent_id}, {"reportedAt", "2026-03-01T00:00:00Z"}};
}

class RotordIdentityTest : public RotordTest {
 protected:
  // How many events the log holds (as the auditor sees them).
  // With mTLS on, the auditor presents `client` (a certificate file and key).
  size_t EventCount(RotordProcess& rotord, const ClientCertificateFiles& client = {}) {
    auto r = rotord.Client(files_.server_cert, "auditor-token", client.cert, client.key)
                 ->Get("/v1/events?from=1&limit=1000");
    EXPECT_TRUE(r);
    if (!r) return 0;
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body)["events"].size();
  }
  static void ExpectRefusedNaming(const httplib::Result& r, const std::string& a,
                                  const std::string& b) {
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 403) << r->body;
    EXPECT_NE(r->body.find("agent " + a), std::string::npos) << r->body;
    EXPECT_NE(r->body.find("agent " + b), std::string::npos) << r->body;
  }
};

TEST_F(RotordIdentityTest, AnAgentTokenSpeaksOnlyForItsOwnAgent) {
  auto rotord = RotordProcess::Start(Args(), dir_->path());
  ASSERT_NE(rotord, nullptr);
  auto agent = rotord->Client(files_.server_cert, "agent-token");  // agent-1
  ASSERT_EQ(
      agent->Post("/v1/reports", ReportOf("r-own", "agent-1").dump(), "application/json")->status,
      200);
  size_t before = EventCount(*rotord);
  ExpectRefusedNaming(
      agent->Post("/v1/reports", ReportOf("r-1", "agent-2").dump(), "application/json"), "agent-1",
      "agent-2");
  json batch = {{"reports", {ReportOf("r-2", "agent-1"), ReportOf("r-3", "agent-0001")}}};
  ExpectRefusedNaming(agent->Post("/v1/reports:batch", batch.dump(), "application/json"), "agent-1",
                      "agent-0001");
  ExpectRefusedNaming(
      agent->Post("/v1/agents/laptop-1/csr", json{{"csr_pem", "x"}}.dump(), "application/json"),
      "agent-1", "laptop-1");
  EXPECT_EQ(EventCount(*rotord), before) << "the refusals appended nothing";

  auto ingest = rotord->Client(files_.server_cert, "ingest-token");
  json relay = {{"reports", {ReportOf("r-4", "agent-2"), ReportOf("r-5", "agent-0001")}}};
  auto relayed = ingest->Post("/v1/reports:batch", relay.dump(), "application/json");
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->status, 200) << relayed->body;
  EXPECT_EQ(EventCount(*rotord), before + 2);
  auto events =
      rotord->Client(files_.server_cert, "auditor-token")->Get("/v1/events?from=1&limit=1000");
  json listed = json::parse(events->body)["events"];
  EXPECT_EQ(listed[0]["actor"], "cred-agent-1");
  EXPECT_EQ(listed[before]["actor"], "gateway-relay");

  EXPECT_EQ(rotord->Client(files_.server_cert, "no-such-token")->Get("/v1/rollouts")->status, 401);
  auto metrics = rotord->Client(files_.server_cert, "operator-token")->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(
      metrics->body.find("rotor_requests_denied_total{code=\"403\",reason=\"other_agent\"} 3"),
      std::string::npos)
      << metrics->body;
  EXPECT_NE(
      metrics->body.find("rotor_requests_denied_total{code=\"401\",reason=\"unknown_token\"} 1"),
      std::string::npos)
      << metrics->body;
  EXPECT_EQ(rotord->Terminate(), 0);
}

TEST_F(RotordIdentityTest, AClientCertificateOfTheCemCaSpeaksForTheAgentInItsCn) {
  ClientCertificateFiles laptop_files =
      IssueClientCertificate(dir_->path(), "laptop-1", "Rotor CEM Issuing CA", "laptop-1");

  auto rotord = RotordProcess::Start(Args({"--client-ca", laptop_files.ca_cert, "--ca-cert",
                                           laptop_files.ca_cert, "--ca-key", laptop_files.ca_key}),
                                     dir_->path());
  ASSERT_NE(rotord, nullptr);
  // No bearer token: the certificate alone authenticates.
  auto laptop = rotord->Client(files_.server_cert, "", laptop_files.cert, laptop_files.key);
  auto own = laptop->Post("/v1/reports", ReportOf("c-1", "laptop-1").dump(), "application/json");
  ASSERT_TRUE(own) << httplib::to_string(own.error());
  EXPECT_EQ(own->status, 200) << own->body;
  size_t before = EventCount(*rotord, laptop_files);
  ExpectRefusedNaming(
      laptop->Post("/v1/reports", ReportOf("c-2", "laptop-2").dump(), "application/json"),
      "laptop-1", "laptop-2");
  ExpectRefusedNaming(
      laptop->Post("/v1/agents/laptop-2/csr", json{{"csr_pem", "x"}}.dump(), "application/json"),
      "laptop-1", "laptop-2");
  EXPECT_EQ(EventCount(*rotord, laptop_files), before);
  auto read = laptop->Get("/v1/rollouts");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 403) << "a certificate is an agent credential, no more";
  auto events =
      rotord->Client(files_.server_cert, "auditor-token", laptop_files.cert, laptop_files.key)
          ->Get("/v1/events?from=1&limit=10");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->status, 200) << "a bearer token decides over the certificate";
  EXPECT_EQ(json::parse(events->body)["events"][0]["actor"], "cert:CN=laptop-1");
  EXPECT_EQ(rotord->Terminate(), 0);
}

// Runs `command` in a shell; returns its stdout and sets *status to its exit
// status (-1 when it cannot start).
std::string RunCommand(const std::string& command, int* status) {
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  *status = -1;
  if (pipe == nullptr) return "";
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof(buf), pipe) != nullptr) out += buf;
  *status = pclose(pipe);
  return out;
}

// The SHA-256 fingerprint of the certificate in `pem_file` as the openssl
// CLI prints it, in the tokens file's form (lower-case hex, no colons).
std::string OpensslFingerprint(const std::string& pem_file) {
  int status = 0;
  std::string out =
      RunCommand("openssl x509 -in " + pem_file + " -noout -fingerprint -sha256", &status);
  EXPECT_EQ(status, 0) << out;
  std::string hex;
  for (char c : out.substr(out.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return hex;
}

// Runs `rotorctl token create ARGS`; returns its stdout, or "" (and fails)
// when it exits non-zero.
std::string TokenCreate(const std::string& args, const std::string& err_file) {
  std::string command = std::string(ROTORCTL_PATH) + " token create " + args + " 2>" + err_file;
  int status = 0;
  std::string out = RunCommand(command, &status);
  EXPECT_EQ(status, 0) << command << ": " << rotor::testing::ReadFile(err_file);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return status == 0 ? out : "";
}

TEST_F(RotordIdentityTest, AClientCertificateMappedInTheTokensFileSignsInAsItsPerson) {
  ClientCertificateFiles audrey =
      IssueClientCertificate(dir_->path(), "audrey", "People CA", "audrey");
  ClientCertificateFiles laptop =
      IssueClientCertificate(dir_->path(), "laptop-9", "CEM CA", "laptop-9");
  std::string both_cas = dir_->Sub("client-cas.pem");  // --client-ca trusts both
  WriteFile(both_cas,
            rotor::testing::ReadFile(audrey.ca_cert) + rotor::testing::ReadFile(laptop.ca_cert));
  std::string fingerprint = OpensslFingerprint(audrey.cert);
  ASSERT_EQ(fingerprint.size(), 64u);
  // rotorctl writes the line; openssl's fingerprint is the one it must name.
  EXPECT_EQ(TokenCreate("--certificate " + audrey.cert + " --name audrey-cert --role auditor " +
                            "--tokens-file " + files_.tokens,
                        dir_->Sub("ctl.err")),
            "")
      << "no secret is printed for a certificate";
  std::string tokens = rotor::testing::ReadFile(files_.tokens);
  EXPECT_TRUE(tokens.ends_with("\ncert-sha256:" + fingerprint + " audrey-cert auditor\n"))
      << tokens;
  auto rotord = RotordProcess::Start(Args({"--client-ca", both_cas}), dir_->path());
  ASSERT_NE(rotord, nullptr);
  // No bearer token: the mapped certificate is the auditor audrey-cert.
  auto person = rotord->Client(files_.server_cert, "", audrey.cert, audrey.key);
  auto who = person->Get("/v1/whoami");
  ASSERT_TRUE(who) << httplib::to_string(who.error());
  ASSERT_EQ(who->status, 200) << who->body;
  EXPECT_EQ(json::parse(who->body), (json{{"name", "audrey-cert"}, {"role", "auditor"}}));
  EXPECT_EQ(person->Get("/v1/verify")->status, 200) << "an auditor's route";
  auto report = person->Post("/v1/reports", ReportOf("p-1", "audrey").dump(), "application/json");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 403) << "an auditor, not the agent its CN names: " << report->body;
  // The same CA's certificate without a line is still its agent.
  auto agent = rotord->Client(files_.server_cert, "", laptop.cert, laptop.key)->Get("/v1/whoami");
  ASSERT_TRUE(agent);
  EXPECT_EQ(json::parse(agent->body)["role"], "agent") << agent->body;
  EXPECT_EQ(rotord->Terminate(), 0);
}

// Waits (bounded) until rotord's log holds `count` lines containing `text`.
bool WaitForLogLines(const std::string& log, const std::string& text, size_t count) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string content = rotor::testing::ReadFile(log);
    size_t found = 0;
    for (size_t at = content.find(text); at != std::string::npos; at = content.find(text, at + 1)) {
      ++found;
    }
    if (found >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_F(RotordIdentityTest, TokenCreateAndSighupReloadWithoutDroppingAStream) {
  // A new file is created 0600 and holds the digest only.
  std::string fresh = dir_->Sub("fresh-tokens");
  std::string fresh_secret =
      TokenCreate("--name relay-9 --role ingest --tokens-file " + fresh, dir_->Sub("ctl.err"));
  ASSERT_FALSE(fresh_secret.empty());
  struct stat st {};
  ASSERT_EQ(stat(fresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(rotor::testing::ReadFile(fresh),
            "sha256:" + ToHex(Sha256(fresh_secret)) + " relay-9 ingest\n");

  auto rotord = RotordProcess::Start(Args(), dir_->path());
  ASSERT_NE(rotord, nullptr);
  std::string log = dir_->Sub("rotord.log");
  std::mutex mu;
  std::condition_variable cv;
  std::string received;
  std::thread reader([&] {
    auto client = rotord->Client(files_.server_cert, "auditor-token");
    client->Get("/v1/stream", [&](const char* data, size_t size) {
      std::lock_guard<std::mutex> lock(mu);
      received.append(data, size);
      cv.notify_all();
      return received.find("event: progress") == std::string::npos;
    });
  });
  // On an early return, end the stream (kill rotord) before the thread goes.
  struct JoinOnExit {
    std::thread& thread;
    RotordProcess& process;
    ~JoinOnExit() {
      if (!thread.joinable()) return;
      process.Kill();
      thread.join();
    }
  } join_on_exit{reader, *rotord};
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !received.empty(); }));
  }

  std::string secret = TokenCreate("--name night-op --role operator --tokens-file " + files_.tokens,
                                   dir_->Sub("ctl.err"));
  ASSERT_FALSE(secret.empty());
  EXPECT_EQ(rotor::testing::ReadFile(files_.tokens).find(secret), std::string::npos)
      << "the secret is not stored";
  auto night = rotord->Client(files_.server_cert, secret);
  EXPECT_EQ(night->Get("/v1/rollouts")->status, 401) << "not loaded before SIGHUP";
  rotord->Signal(SIGHUP);
  ASSERT_TRUE(WaitForLogLines(log, "SIGHUP: reloaded", 1));
  EXPECT_EQ(night->Get("/v1/rollouts")->status, 200);

  // Remove oscar's token: it is refused after the next reload.
  std::string without_oscar;
  for (const std::string& line : {TokenLine("admin-token", "alice", "admin"),
                                  TokenLine("auditor-token", "audrey", "auditor")}) {
    without_oscar += line;
  }
  std::string kept = rotor::testing::ReadFile(files_.tokens);
  WriteFile(files_.tokens, without_oscar + kept.substr(kept.rfind("sha256:")));
  auto oscar = rotord->Client(files_.server_cert, "operator-token");
  EXPECT_EQ(oscar->Get("/v1/rollouts")->status, 200);
  rotord->Signal(SIGHUP);
  ASSERT_TRUE(WaitForLogLines(log, "SIGHUP: reloaded", 2));
  EXPECT_EQ(oscar->Get("/v1/rollouts")->status, 401);

  // A bad file keeps the tokens in use and the log names the line.
  WriteFile(files_.tokens, without_oscar + "plain-secret mallory admin\n");
  rotord->Signal(SIGHUP);
  ASSERT_TRUE(WaitForLogLines(log, "keeping the tokens loaded before", 1));
  EXPECT_NE(rotor::testing::ReadFile(log).find(files_.tokens + ":3"), std::string::npos);
  EXPECT_EQ(rotord->Client(files_.server_cert, "plain-secret")->Get("/v1/rollouts")->status, 401);
  EXPECT_EQ(night->Get("/v1/rollouts")->status, 200);

  // The stream opened before the reloads still delivers: a new rollout.
  TestCertificate old_cert = RegisterServerCertificate(*night, "ns-old");
  TestCertificate new_cert = RegisterServerCertificate(*night, "ns-new");
  InitiateReplacement(*night, "r1", old_cert, new_cert);
  ASSERT_FALSE(HasFailure());
  {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] {
      return received.find("event: progress") != std::string::npos;
    })) << received;
  }
  reader.join();
  EXPECT_EQ(rotord->Terminate(), 0);
}

}  // namespace
}  // namespace rotor::app::testing
