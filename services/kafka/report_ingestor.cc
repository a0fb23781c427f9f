#include "services/kafka/report_ingestor.h"

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

std::string KafkaIngestActor(std::string_view reports_topic) {
  return "kafka:" + std::string(reports_topic);
}

Status ReportIngestor::Ingest(std::span<const AgentReport> reports,
                              const std::function<Time()>& clock, std::vector<ReportResult>* out) {
  out->assign(reports.size(), ReportResult{});
  commands_.clear();
  commands_.reserve(reports.size());
  for (const AgentReport& report : reports) {
    commands_.emplace_back(domain::IngestAgentReport{report, clock(), actor_, max_clock_skew_});
  }
  std::vector<Result<domain::CommandOutcome>> outcomes = service_.ExecuteBatch(commands_);
  for (size_t i = 0; i < reports.size(); ++i) {
    const Result<domain::CommandOutcome>& outcome = outcomes[i];
    ReportResult& result = (*out)[i];
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
