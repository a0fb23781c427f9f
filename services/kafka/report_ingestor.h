// ReportIngestor: runs domain::IngestAgentReport for a batch of agent
// reports and says, per report, what became of it.
//
// Every report is executed by a domain::CommandService, so the log gets
// exactly the events the command service would append for it one by one: an
// AgentInventoryReported (and AgentStaleCleared), an AgentReportRejected for
// a revoked agent, or nothing for a repeated or outdated report (its
// report_id is the append's idempotency key). Reports of one agent are
// executed in batch order.
//
// Throughput: the batch goes to CommandService::ExecuteBatch, so reports of
// distinct agents share one durable write (one fsync per round of the batch,
// usually one per batch).
//
// Actor: every event records the ingestor's principal (`actor`, role ingest:
// for the Kafka consumer KafkaIngestActor(topic)), never the report's agent.
//
// Ownership: `service` must outlive the ingestor. Thread safety:
// Ingest() is called from one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "events/event_log.h"
#include "events/event_types.h"
#include "services/domain/command_service.h"

namespace rotor::kafka {

enum class ReportDisposition {
  kIngested,   // appended an AgentInventoryReported
  kDuplicate,  // changed nothing: a redelivered, repeated or outdated report
  kRejected,   // appended an AgentReportRejected (a revoked agent, a report from the future)
  kInvalid,    // refused by the domain (bad field, report_id of another agent): dead letter
};

struct ReportResult {
  ReportDisposition disposition = ReportDisposition::kIngested;
  Status error;  // kInvalid: the reason
};

class ReportIngestor {
 public:
  // `actor` is recorded as the actor of every event; not empty. Reports
  // dated more than `max_clock_skew` ahead of the clock are rejected
  // (domain::IngestAgentReport).
  ReportIngestor(domain::CommandService& service, std::string actor,
                 Micros max_clock_skew = domain::kDefaultMaxClockSkew)
      : service_(service), actor_(std::move(actor)), max_clock_skew_(max_clock_skew) {}
  ReportIngestor(const ReportIngestor&) = delete;
  ReportIngestor& operator=(const ReportIngestor&) = delete;

  // Executes IngestAgentReport{reports[i], clock(), actor, max_clock_skew} for every report and
  // fills `out` (resized to reports.size()). On success every report's
  // events are durable. Errors (the batch must then be retried, which is
  // harmless: repeats are no-ops): kIoError, kCancelled, kCorruption,
  // kInternal from the log, kConflict when a report kept conflicting;
  // entries of `out` are then meaningless.
  Status Ingest(std::span<const AgentReport> reports, const std::function<Time()>& clock,
                std::vector<ReportResult>* out);

 private:
  domain::CommandService& service_;
  std::string actor_;
  const Micros max_clock_skew_;
  std::vector<domain::Command> commands_;  // reused
};

// The principal (role ingest) of a consumer of `reports_topic`:
// "kafka:<reports_topic>". Token names cannot contain ':', so no token can
// pass for it.
std::string KafkaIngestActor(std::string_view reports_topic);

// Whether `error` from CommandService::Execute is the report's fault (goes to
// the dead-letter topic) rather than the system's (retry later).
bool IsReportError(const Status& error);

}  // namespace rotor::kafka
