// rotord as a real process: TLS and bearer tokens, client certificates,
// Server-Sent Events, graceful SIGTERM, and SIGKILL during a bulk ingest
// (every acknowledged report survives; the projections equal a rebuild).
#include "tests/services/rotord/rotord_process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "projections/fold.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "tests/services/app/engine_test_util.h"
#include "tests/testing/files.h"

namespace rotor::app::testing {
namespace {

using nlohmann::json;

class RotordProcessTest : public RotordTest {};

std::string Hex64(int n) {
  char buf[65];
  snprintf(buf, sizeof(buf), "%064x", n);
  return buf;
}

json ReportFor(const std::string& id, int agent) {
  return {{"reportId", id},
          {"agentId", "agent-" + std::to_string(agent)},
          {"reportedAt", "2026-03-01T00:00:00Z"},
          {"certificateFingerprints", {Hex64(1 + agent % 3)}},
          {"site", "site-" + std::to_string(agent % 4)}};
}

TEST_F(RotordProcessTest, ServesTlsWithTokensAndStopsCleanlyOnSigterm) {
  auto rotord = RotordProcess::Start(Args(), dir_->path());
  ASSERT_NE(rotord, nullptr);
  EXPECT_EQ(rotord->url().rfind("https://127.0.0.1:", 0), 0u) << rotord->url();

  auto anonymous = rotord->Client(files_.server_cert, "");
  auto health = anonymous->Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  auto refused = anonymous->Get("/v1/rollouts");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(json::parse(refused->body)["error"]["code"], "unauthenticated");
  auto wrong = rotord->Client(files_.server_cert, "not-a-token")->Get("/v1/rollouts");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  auto agent = rotord->Client(files_.server_cert, "agent-token");
  auto denied = agent->Get("/v1/rollouts");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  auto ingested = agent->Post("/v1/reports", ReportFor("r-1", 1).dump(), "application/json");
  ASSERT_TRUE(ingested);
  EXPECT_EQ(ingested->status, 200) << ingested->body;

  auto auditor = rotord->Client(files_.server_cert, "auditor-token");
  auto events = auditor->Get("/v1/events?from=1&limit=10");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->status, 200) << events->body;
  EXPECT_EQ(json::parse(events->body)["events"][0]["actor"], "cred-agent-1");

  auto oversized = agent->Post("/v1/reports", std::string(9 << 20, ' '), "application/json");
  ASSERT_TRUE(oversized);
  EXPECT_EQ(oversized->status, 400);
  EXPECT_NE(oversized->body.find("over the limit"), std::string::npos) << oversized->body;

  auto metrics = auditor->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("rotor_events_appended_total 1"), std::string::npos)
      << metrics->body;

  EXPECT_EQ(rotord->Terminate(), 0);
}

// rotord runs on the allocator it was built with (CMake's ROTOR_ALLOCATOR),
// with the settings base/allocator.cc links in: its memory and ingest
// figures were measured so (docs/performance.md, "The allocator").
TEST_F(RotordProcessTest, RunsOnTheAllocatorItWasBuiltWith) {
  auto rotord = RotordProcess::Start(Args(), dir_->path());
  ASSERT_NE(rotord, nullptr);
  const std::string proc = "/proc/" + std::to_string(rotord->pid());
  bool mapped =
      rotor::testing::ReadFile(proc + "/maps").find("/libjemalloc.so") != std::string::npos;
  // jemalloc's purging thread runs only when `malloc_conf` was read.
  bool purger = false;
  for (const auto& task : std::filesystem::directory_iterator(proc + "/task")) {
    purger =
        purger || rotor::testing::ReadFile(task.path() / "comm").starts_with("jemalloc_bg_thd");
  }
  if (std::string(ROTOR_ALLOCATOR) == "jemalloc") {
    EXPECT_TRUE(mapped) << "rotord was built with jemalloc but does not map it";
    EXPECT_TRUE(purger) << "jemalloc runs without base/allocator.cc's malloc_conf";
  } else {
    EXPECT_FALSE(mapped);
  }
  EXPECT_EQ(rotord->Terminate(), 0);
}

// Runs rotord with `args` to its exit; returns the exit code and fills
// `output` with what it wrote to stdout and stderr.
int RunToExit(const std::vector<std::string>& args, std::string* output) {
  std::string command = RotordPath();
  for (const std::string& a : args) command += " '" + a + "'";
  command += " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) output->append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(RotordProcessTest, BadKafkaSettingsStopStartupBeforeItListens) {
  // No broker is needed: each of these is refused before a client connects.
  std::string unknown = dir_->Sub("unknown.conf");
  WriteFile(unknown, "brokers = 127.0.0.1:9\nevents.topci = rotor.events\n");
  std::string librdkafka = dir_->Sub("librdkafka.conf");
  WriteFile(librdkafka, "brokers = 127.0.0.1:9\nlibrdkafka.no.such.property = 1\n");
  std::string port_file = dir_->Sub("port");
  struct Case {
    std::vector<std::string> flags;
    std::string names;  // in the error message
  };
  const Case cases[] = {
      {{"--kafka-config", dir_->Sub("missing.conf")}, "cannot read config file"},
      {{"--kafka-config", unknown}, "unknown setting 'events.topci'"},
      {{"--kafka-config", librdkafka}, "no.such.property"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = Args(c.flags);
    args.insert(args.end(), {"--port-file", port_file});
    std::string output;
    EXPECT_EQ(RunToExit(args, &output), 1) << output;
    EXPECT_NE(output.find(c.names), std::string::npos) << output;
    EXPECT_EQ(output.find("listening on"), std::string::npos) << output;
    EXPECT_FALSE(std::filesystem::exists(port_file)) << "a port file was written";
  }
}

TEST_F(RotordProcessTest, ClientCertificatesAreRequiredWithAClientCa) {
  ClientCertificateFiles client =
      IssueClientCertificate(dir_->path(), "dashboard", "Rotor Test Client CA", "dashboard");
  auto rotord = RotordProcess::Start(Args({"--client-ca", client.ca_cert}), dir_->path());
  ASSERT_NE(rotord, nullptr);
  auto without = rotord->Client(files_.server_cert, "auditor-token")->Get("/v1/rollouts");
  EXPECT_FALSE(without) << "a client without a certificate was let in";
  auto with = rotord->Client(files_.server_cert, "auditor-token", client.cert, client.key)
                  ->Get("/v1/rollouts");
  ASSERT_TRUE(with) << httplib::to_string(with.error());
  EXPECT_EQ(with->status, 200);
  EXPECT_EQ(rotord->Terminate(), 0);
}

TEST_F(RotordProcessTest, StreamsProgressChangesAsServerSentEvents) {
  auto rotord = RotordProcess::Start(Args(), dir_->path());
  ASSERT_NE(rotord, nullptr);
  auto op = rotord->Client(files_.server_cert, "operator-token");
  // rotord runs on the real clock here: certificates valid around now.
  TestCertificate old_cert = RegisterServerCertificate(*op, "ns-old");
  TestCertificate new_cert = RegisterServerCertificate(*op, "ns-new");
  ASSERT_FALSE(HasFailure());
  json report = ReportFor("s-1", 1);
  report["certificateFingerprints"] = {old_cert.fingerprint};
  report["reportedAt"] =
      FormatTime(std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now()));
  ASSERT_EQ(op->Post("/v1/reports", report.dump(), "application/json")->status, 200);
  InitiateReplacement(*op, "r1", old_cert, new_cert);
  ASSERT_FALSE(HasFailure());

  std::mutex mu;
  std::condition_variable cv;
  std::string received;
  int progress_events = 0;
  std::thread reader([&] {
    auto client = rotord->Client(files_.server_cert, "auditor-token");
    client->Get("/v1/stream", [&](const char* data, size_t size) {
      std::lock_guard<std::mutex> lock(mu);
      received.append(data, size);
      size_t count = 0;
      for (size_t at = received.find("event: progress"); at != std::string::npos;
           at = received.find("event: progress", at + 1)) {
        ++count;
      }
      progress_events = static_cast<int>(count);
      cv.notify_all();
      return progress_events < 2;
    });
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return progress_events >= 1; }));
  }
  report["reportId"] = "s-2";
  report["certificateFingerprints"] = {old_cert.fingerprint, new_cert.fingerprint};
  report["reportedAt"] =
      FormatTime(std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now()));
  ASSERT_EQ(op->Post("/v1/reports", report.dump(), "application/json")->status, 200);
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return progress_events >= 2; }));
  }
  reader.join();
  EXPECT_NE(received.find("\"received\":0"), std::string::npos) << received;
  EXPECT_NE(received.find("\"received\":1"), std::string::npos) << received;
  EXPECT_EQ(rotord->Terminate(), 0);
}

TEST_F(RotordProcessTest, TheSweeperFlagsSilentAgentsOnItsTimer) {
  auto rotord = RotordProcess::Start(
      Args({"--virtual-clock", "--sweep-interval", "50ms", "--stale-threshold", "2d"}),
      dir_->path());
  ASSERT_NE(rotord, nullptr);
  auto admin = rotord->Client(files_.server_cert, "admin-token");
  auto post = [&](const std::string& path, const json& body) {
    auto r = admin->Post(path, body.dump(), "application/json");
    ASSERT_TRUE(r) << path;
    ASSERT_EQ(r->status, 200) << path << ": " << r->body;
  };
  post("/v1/clock", {{"now", "2026-03-01T00:00:00Z"}});
  TestCertificate old_cert = CertificateValidAround("ns-old", At("2026-03-01T00:00:00Z"));
  TestCertificate new_cert = CertificateValidAround("ns-new", At("2026-03-01T00:00:00Z"));
  post("/v1/certificates", {{"kind", "server-web"}, {"pem", old_cert.pem}});
  post("/v1/certificates", {{"kind", "server-web"}, {"pem", new_cert.pem}});
  json report = ReportFor("t-1", 1);
  report["certificateFingerprints"] = {old_cert.fingerprint};
  report["reportedAt"] = "2026-02-28T00:00:00Z";
  post("/v1/reports", report);
  post("/v1/replacements", {{"rollout_id", "r1"},
                            {"old_fingerprint", old_cert.fingerprint},
                            {"new_fingerprint", new_cert.fingerprint}});
  // Three days later the agent is silent for longer than the threshold; the
  // stream shows the sweeper's flag (no polling).
  post("/v1/clock", {{"now", "2026-03-04T00:00:00Z"}});
  std::string received;
  admin->Get("/v1/stream", [&](const char* data, size_t size) {
    received.append(data, size);
    return received.find("\"stale\":1") == std::string::npos;
  });
  EXPECT_NE(received.find("\"stale\":1"), std::string::npos) << received;
  auto stale = admin->Get("/v1/stale-agents");
  ASSERT_TRUE(stale);
  json body = json::parse(stale->body);
  ASSERT_EQ(body["count"], 1) << stale->body;
  EXPECT_EQ(body["stale_agents"][0]["flagged_at"], "2026-03-04T00:00:00Z");
  auto events = admin->Get("/v1/events?from=1&limit=100");
  EXPECT_NE(events->body.find("\"actor\":\"system:sweeper\""), std::string::npos);
  EXPECT_EQ(rotord->Terminate(), 0);
}

// Folds the stored projections and a rebuild from zero and compares them.
void ExpectProjectionsEqualARebuild(const std::string& data_dir) {
  auto log = RocksDbEventLog::Open(data_dir + "/events");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto store = projections::RocksDbProjectionStore::Open(data_dir + "/projections");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  projections::FleetProjection fleet;
  projections::AuditProjection audit;
  projections::ProjectionRunner fleet_runner(**log, **store, fleet);
  projections::ProjectionRunner audit_runner(**log, **store, audit);
  ASSERT_TRUE(fleet_runner.Open().ok());
  ASSERT_TRUE(audit_runner.Open().ok());
  EXPECT_EQ(fleet_runner.checkpoint().sequence, (*log)->Head()) << "graceful stop commits";
  EXPECT_EQ(audit_runner.checkpoint().sequence, (*log)->Head());
  auto rebuilt = projections::ComputeAsOf(**log, projections::FoldLimit::Head());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(fleet.Dump(), (*rebuilt)->fleet.Dump());
  EXPECT_EQ(audit.Dump(), (*rebuilt)->audit.Dump());
  EXPECT_TRUE(fleet.VerifyCounters().ok());
}

TEST_F(RotordProcessTest, SigkillDuringBulkIngestLosesNoAcknowledgedReport) {
  auto rotord = RotordProcess::Start(Args(), dir_->path());
  ASSERT_NE(rotord, nullptr);
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> acknowledged;
  int batches_acknowledged = 0;
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    auto client = rotord->Client(files_.server_cert, "ingest-token");
    for (int batch = 0; !stop.load(); ++batch) {
      json reports = json::array();
      std::vector<std::string> ids;
      for (int i = 0; i < 50; ++i) {
        std::string id = "bulk-" + std::to_string(batch) + "-" + std::to_string(i);
        reports.push_back(ReportFor(id, batch * 50 + i));
        ids.push_back(id);
      }
      auto r =
          client->Post("/v1/reports:batch", json{{"reports", reports}}.dump(), "application/json");
      if (!r || r->status != 200) break;  // the daemon died mid-request
      json body = json::parse(r->body);
      std::lock_guard<std::mutex> lock(mu);
      EXPECT_EQ(body["ingested"], 50) << r->body;
      acknowledged.insert(ids.begin(), ids.end());
      ++batches_acknowledged;
      cv.notify_all();
    }
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(
        cv.wait_for(lock, std::chrono::seconds(120), [&] { return batches_acknowledged >= 10; }));
  }
  rotord->Kill();  // mid-batch, most likely
  stop.store(true);
  sender.join();

  // Restart on the same directory: everything acknowledged is there.
  rotord = RotordProcess::Start(Args(), dir_->path());
  ASSERT_NE(rotord, nullptr);
  auto auditor = rotord->Client(files_.server_cert, "auditor-token");
  auto verify = auditor->Get("/v1/verify");
  ASSERT_TRUE(verify);
  EXPECT_EQ(json::parse(verify->body)["ok"], true) << verify->body;
  auto agents = auditor->Get("/v1/agents?limit=1");
  ASSERT_TRUE(agents);
  EXPECT_GE(json::parse(agents->body)["total"].get<size_t>(), acknowledged.size());
  EXPECT_EQ(rotord->Terminate(), 0);

  auto log = RocksDbEventLog::Open(dir_->Sub("data") + "/events");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::set<std::string> logged;
  ASSERT_TRUE((*log)
                  ->ForEach(1,
                            [&](const RecordedEvent& record) {
                              auto event = DecodeEvent(record);
                              EXPECT_TRUE(event.ok());
                              if (auto* r = std::get_if<AgentInventoryReported>(&*event)) {
                                logged.insert(r->report_id);
                              }
                              return true;
                            })
                  .ok());
  log->reset();
  for (const std::string& id : acknowledged) EXPECT_TRUE(logged.count(id)) << id << " was lost";
  ExpectProjectionsEqualARebuild(dir_->Sub("data"));
}

}  // namespace
}  // namespace rotor::app::testing
