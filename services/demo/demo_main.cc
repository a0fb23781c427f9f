// rotor-demo: appends one certificate replacement for the article's fleet to
// the embedded RocksDB event log, replays the log to show progress as an
// auditor would see it, and verifies the hash chain.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "events/verify.h"

namespace rotor {
namespace {

std::string Fingerprint(std::string_view name) { return ToHex(Sha256(name)); }

Status AppendOne(EventLog& log, const std::string& stream, const Event& event, Time at,
                 const std::string& actor, std::string idempotency_key = {}) {
  AppendRequest req{stream, ExpectedVersion::Any(), {MakeNewEvent(event, at, actor)},
                    std::move(idempotency_key)};
  Result<AppendResult> r = log.Append(std::move(req));
  return r.status();
}

// Appends the rollout: 2393 agents hold the old certificate, 107 do not;
// 2076 receive the new one. Returns the rollout id.
Status AppendRollout(EventLog& log, const std::string& rollout, Time t0) {
  const std::string old_fp = Fingerprint("old web certificate");
  const std::string new_fp = Fingerprint("new web certificate");
  ROTOR_RETURN_IF_ERROR(AppendOne(
      log, "rollout-" + rollout,
      ReplacementInitiated{rollout, old_fp, new_fp, CertificateKind::kServerWeb,
                           ReplacementMode::kDirect, 1000},
      t0, "admin@example.com"));
  for (int i = 0; i < 2500; ++i) {
    std::string agent = "agent-" + std::to_string(i);
    AgentInventoryReported report{"r1-" + agent, agent, t0 + std::chrono::seconds(i),
                                  {},          "gw-" + std::to_string(i % 3),
                                  "site-" + std::to_string(i % 5), true};
    if (i < 2393) report.certificate_fingerprints.push_back(old_fp);
    ROTOR_RETURN_IF_ERROR(AppendOne(log, "agent-" + agent, report, report.reported_at,
                                    "agent:" + agent, "report:" + report.report_id));
  }
  for (int i = 0; i < 2076; ++i) {
    std::string agent = "agent-" + std::to_string(i);
    AgentInventoryReported report{"r2-" + agent, agent,
                                  t0 + std::chrono::hours(24) + std::chrono::minutes(i * 2),
                                  {old_fp, new_fp}, "gw-" + std::to_string(i % 3),
                                  "site-" + std::to_string(i % 5), true};
    ROTOR_RETURN_IF_ERROR(AppendOne(log, "agent-" + agent, report, report.reported_at,
                                    "agent:" + agent, "report:" + report.report_id));
  }
  return Status::Ok();
}

// Replays the log and prints "N of M agents received the new certificate"
// as the progress stood after each day of reports.
Status Replay(const EventLog& log) {
  std::string old_fp, new_fp;
  std::unordered_map<std::string, std::pair<bool, bool>> agents;  // holds old, holds new
  Time last_print{};
  auto print = [&](Time at) {
    size_t total = 0, received = 0;
    for (const auto& [id, has] : agents) {
      if (has.first) {
        ++total;
        if (has.second) ++received;
      }
    }
    std::printf("  %s  %zu of %zu agents received the new certificate\n", FormatTime(at).c_str(),
                received, total);
  };
  Status decode;
  Status scan = log.ForEach(1, [&](const RecordedEvent& record) {
    Result<Event> event = DecodeEvent(record);
    if (!event.ok()) {
      decode = event.status();
      return false;
    }
    if (const auto* init = std::get_if<ReplacementInitiated>(&*event)) {
      old_fp = init->old_fingerprint;
      new_fp = init->new_fingerprint;
    } else if (const auto* rep = std::get_if<AgentInventoryReported>(&*event)) {
      auto holds = [&](const std::string& fp) {
        for (const auto& f : rep->certificate_fingerprints) {
          if (f == fp) return true;
        }
        return false;
      };
      agents[rep->agent_id] = {holds(old_fp), holds(new_fp)};
    }
    if (last_print == Time{}) last_print = record.recorded_at;
    if (record.recorded_at - last_print >= std::chrono::hours(12)) {
      print(record.recorded_at);
      last_print = record.recorded_at;
    }
    return true;
  });
  ROTOR_RETURN_IF_ERROR(scan);
  ROTOR_RETURN_IF_ERROR(decode);
  std::vector<RecordedEvent> last;
  ROTOR_RETURN_IF_ERROR(log.Read(kHeadSequence, Direction::kBackward, 1, &last));
  if (!last.empty()) print(last.front().recorded_at);
  return Status::Ok();
}

int Run(const std::string& data_dir) {
  Result<std::unique_ptr<RocksDbEventLog>> opened = RocksDbEventLog::Open(data_dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "rotor-demo: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  RocksDbEventLog& log = **opened;
  Time t0 = *ParseTime("2026-11-01T00:00:00Z");
  if (log.Head() == 0) {
    std::printf("Appending a replacement of the server web certificate for 2500 agents...\n");
    Status s = AppendRollout(log, "web-2026-11", t0);
    if (!s.ok()) {
      std::fprintf(stderr, "rotor-demo: %s\n", s.ToString().c_str());
      return 1;
    }
  } else {
    std::printf("Log at %s already holds %llu events; replaying it.\n", data_dir.c_str(),
                static_cast<unsigned long long>(log.Head()));
  }
  std::printf("Replaying %llu events from the log:\n", static_cast<unsigned long long>(log.Head()));
  Status s = Replay(log);
  if (!s.ok()) {
    std::fprintf(stderr, "rotor-demo: replay: %s\n", s.ToString().c_str());
    return 1;
  }
  Result<VerifyReport> report = Verify(log);
  if (!report.ok() || !report->ok) {
    std::fprintf(stderr, "rotor-demo: verify: %s\n",
                 report.ok() ? report->problem.c_str() : report.status().ToString().c_str());
    return 1;
  }
  std::printf("Hash chain verified: %llu events, head hash %s\n",
              static_cast<unsigned long long>(report->events), ToHex(report->head_hash).c_str());
  return 0;
}

}  // namespace
}  // namespace rotor

int main(int argc, char** argv) {
  CLI::App app{"rotor-demo: append a certificate rollout to the event log and replay it"};
  std::string data_dir = "var/demo";
  app.add_option("--data", data_dir, "event log directory (RocksDB)");
  CLI11_PARSE(app, argc, argv);
  return rotor::Run(data_dir);
}
