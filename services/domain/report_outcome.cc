#include "services/domain/report_outcome.h"

#include <variant>

namespace rotor::domain {

std::string_view ReportDispositionName(ReportDisposition disposition) {
  switch (disposition) {
    case ReportDisposition::kIngested:
      return "ingested";
    case ReportDisposition::kDuplicate:
      return "duplicate";
    case ReportDisposition::kRejected:
      return "rejected";
    case ReportDisposition::kInvalid:
      return "invalid";
  }
  return "invalid";
}

bool IsReportError(const Status& error) {
  switch (error.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

Result<ReportOutcome> ClassifyReport(const Result<CommandOutcome>& executed) {
  ReportOutcome out;
  if (!executed.ok()) {
    if (!IsReportError(executed.status())) return executed.status();
    out.disposition = ReportDisposition::kInvalid;
    out.error = executed.status();
    return out;
  }
  out.disposition =
      executed->IsNoOp() ? ReportDisposition::kDuplicate : ReportDisposition::kIngested;
  for (const AppendedStream& stream : executed->appended) {
    for (const Event& event : stream.events) {
      if (const auto* rejected = std::get_if<AgentReportRejected>(&event)) {
        out.disposition = ReportDisposition::kRejected;
        out.reason = rejected->reason;
        return out;
      }
    }
  }
  return out;
}

}  // namespace rotor::domain
