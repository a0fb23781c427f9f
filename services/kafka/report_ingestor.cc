#include "services/kafka/report_ingestor.h"

#include <thread>
#include <variant>

namespace rotor::kafka {

bool IsReportError(const Status& error) {
  switch (error.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
      return true;
    default:
      return false;
  }
}

ReportIngestor::ReportIngestor(domain::CommandService& service, EventLog& log, size_t shards) {
  services_.push_back(&service);
  for (size_t i = 1; i < shards; ++i) {
    owned_.push_back(std::make_unique<domain::CommandService>(log));
    services_.push_back(owned_.back().get());
  }
  routes_.resize(services_.size());
}

ReportIngestor::~ReportIngestor() = default;

Status ReportIngestor::Ingest(std::span<const AgentReport> reports,
                              const std::function<Time()>& clock, std::vector<ReportResult>* out) {
  out->assign(reports.size(), ReportResult{});
  for (auto& route : routes_) route.clear();
  std::hash<std::string> hash;
  for (size_t i = 0; i < reports.size(); ++i) {
    size_t shard = services_.size() == 1 ? 0 : hash(reports[i].agent_id) % services_.size();
    routes_[shard].push_back(i);
  }
  std::vector<Status> statuses(services_.size());
  std::vector<std::thread> threads;
  for (size_t s = 1; s < services_.size(); ++s) {
    if (routes_[s].empty()) continue;
    threads.emplace_back(
        [&, s] { statuses[s] = RunShard(*services_[s], reports, routes_[s], clock, *out); });
  }
  statuses[0] = RunShard(*services_[0], reports, routes_[0], clock, *out);
  for (std::thread& t : threads) t.join();
  for (const Status& s : statuses) ROTOR_RETURN_IF_ERROR(s);
  return Status::Ok();
}

Status ReportIngestor::RunShard(domain::CommandService& service,
                                std::span<const AgentReport> reports,
                                const std::vector<size_t>& indexes,
                                const std::function<Time()>& clock,
                                std::vector<ReportResult>& out) {
  for (size_t i : indexes) {
    Result<domain::CommandOutcome> outcome =
        service.Execute(domain::IngestAgentReport{reports[i], clock()});
    ReportResult& result = out[i];
    if (!outcome.ok()) {
      if (!IsReportError(outcome.status())) return outcome.status();
      result.disposition = ReportDisposition::kInvalid;
      result.error = outcome.status();
      continue;
    }
    result.disposition = ReportDisposition::kDuplicate;
    for (const domain::AppendedStream& stream : outcome->appended) {
      for (const Event& event : stream.events) {
        if (std::holds_alternative<AgentReportRejected>(event)) {
          result.disposition = ReportDisposition::kRejected;
        } else if (result.disposition == ReportDisposition::kDuplicate) {
          result.disposition = ReportDisposition::kIngested;
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace rotor::kafka
