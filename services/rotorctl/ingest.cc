// Bulk report ingestion. See ingest.h.
#include "services/rotorctl/ingest.h"

#include "services/rotorctl/format.h"

namespace rotor::ctl {
namespace {

struct Pending {
  json report;
  uint64_t line = 0;
};

std::string ReportId(const Pending& p) {
  std::string id = FirstStr(p.report, {"reportId", "report_id"});
  return id.empty() ? "line " + std::to_string(p.line) : id;
}

// Sends one report on its own. False on a transport or server failure.
bool SendOne(Session& s, client::Transport& t, const Pending& p, IngestCounts& counts) {
  Result<app::ApiResponse> r = client::Call(t, "POST", "/v1/reports", p.report.dump());
  if (!r.ok()) return s.FailStatus(Status::IoError(r.status().message())), false;
  if (r->status >= 500) return s.FailResponse(*r), false;
  if (!client::IsSuccess(*r)) {
    counts.rejected.push_back({ReportId(p), "line " + std::to_string(p.line) + ": " +
                                                client::ResponseStatus(*r).message()});
    return true;
  }
  json reply = json::parse(r->body, nullptr, false);
  if (Array(reply, {"events"}).empty()) {
    ++counts.duplicates;
  } else {
    ++counts.ingested;
  }
  return true;
}

bool SendBatch(Session& s, std::vector<Pending>& batch, IngestCounts& counts) {
  if (batch.empty()) return true;
  client::Transport* t = s.transport();
  if (t == nullptr) return false;
  json body = {{"reports", json::array()}};
  for (const Pending& p : batch) body["reports"].push_back(p.report);
  Result<app::ApiResponse> r = client::Call(*t, "POST", "/v1/reports:batch", body.dump());
  if (!r.ok()) return s.FailStatus(Status::IoError(r.status().message())), false;
  bool ok = true;
  if (r->status >= 500 || r->status == 401 || r->status == 403) {
    s.FailResponse(*r);
    ok = false;
  } else if (!client::IsSuccess(*r)) {
    for (const Pending& p : batch) {
      if (!SendOne(s, *t, p, counts)) {
        ok = false;
        break;
      }
    }
  } else {
    json reply = json::parse(r->body, nullptr, false);
    counts.ingested += Num(reply, "ingested");
    counts.duplicates += Num(reply, "duplicates");
    for (const json& rejected : Array(reply, {"rejected"})) {
      counts.rejected.push_back({Str(rejected, "report_id"), Str(rejected, "reason")});
    }
  }
  batch.clear();
  return ok;
}

}  // namespace

bool IngestReports(Session& s, std::istream& in, size_t batch_size, IngestCounts& counts) {
  std::vector<Pending> batch;
  std::string line;
  uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++counts.lines;
    json report = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (report.is_discarded() || !report.is_object()) {
      counts.rejected.push_back({"line " + std::to_string(number),
                                 "line " + std::to_string(number) + ": not a JSON object"});
      continue;
    }
    batch.push_back({std::move(report), number});
    if (batch.size() >= batch_size && !SendBatch(s, batch, counts)) return false;
  }
  if (in.bad()) {
    s.FailStatus(
        Status::IoError("reading the reports failed after line " + std::to_string(number)));
    return false;
  }
  return SendBatch(s, batch, counts);
}

}  // namespace rotor::ctl
