// What became of one agent report: the one classification of an executed
// IngestAgentReport that every ingest path shares (the HTTP report routes in
// services/app/routes_agents.cc and the Kafka ingestor in
// services/kafka/report_ingestor.cc), so that "ingested", "duplicate" and
// "rejected" mean the same on every path and in every metric.
//
// Pure functions on the command service's outcome; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "services/domain/command_service.h"

namespace rotor::domain {

// In this order (callers count by the enum's value).
enum class ReportDisposition {
  kIngested,   // appended an AgentInventoryReported
  kDuplicate,  // changed nothing: a redelivered, repeated or outdated report
  kRejected,   // appended an AgentReportRejected (a revoked agent, a report from the future)
  kInvalid,    // refused by the domain (bad field, report_id of another agent): changed nothing
};
inline constexpr int kReportDispositions = 4;

// "ingested", "duplicate", "rejected", "invalid".
std::string_view ReportDispositionName(ReportDisposition disposition);

// Whether `error` from executing an IngestAgentReport is the report's fault
// (kInvalidArgument, kNotFound, kAlreadyExists, kFailedPrecondition: answer
// it per report, dead-letter it) rather than the system's (retry later).
bool IsReportError(const Status& error);

struct ReportOutcome {
  ReportDisposition disposition = ReportDisposition::kIngested;
  Status error;        // kInvalid: the domain's refusal
  std::string reason;  // kRejected: the reason the AgentReportRejected records
};

// Classifies the result of executing one IngestAgentReport. Errors: the
// result's own error when it is not the report's fault (!IsReportError): the
// system failed, and the report must be retried.
Result<ReportOutcome> ClassifyReport(const Result<CommandOutcome>& executed);

}  // namespace rotor::domain
