#include "services/kafka/report_ingestor.h"

#include <utility>

namespace rotor::kafka {

std::string KafkaIngestActor(std::string_view reports_topic) {
  return "kafka:" + std::string(reports_topic);
}

Status ReportIngestor::Ingest(std::span<AgentReport> reports, const std::function<Time()>& clock,
                              std::vector<domain::ReportOutcome>* out) {
  out->clear();
  out->reserve(reports.size());
  std::vector<domain::Command> commands;
  commands.reserve(reports.size());
  for (AgentReport& report : reports) {
    commands.emplace_back(
        domain::IngestAgentReport{std::move(report), clock(), actor_, max_clock_skew_});
  }
  std::vector<Result<domain::CommandOutcome>> outcomes = service_.ExecuteBatch(commands);
  for (const Result<domain::CommandOutcome>& executed : outcomes) {
    Result<domain::ReportOutcome> outcome = domain::ClassifyReport(executed);
    if (!outcome.ok()) return outcome.status();
    out->push_back(std::move(*outcome));
  }
  return Status::Ok();
}

}  // namespace rotor::kafka
