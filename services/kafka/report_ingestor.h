// ReportIngestor: runs domain::IngestAgentReport for a batch of agent
// reports and says, per report, what became of it (domain::ClassifyReport,
// the classification the HTTP report routes share).
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
// Ownership: `service` must outlive the ingestor. Thread safety: Ingest()
// may be called from several threads at once (the report consumer keeps two
// batches in flight); each call's reports of one agent keep their order.
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
#include "services/domain/report_outcome.h"

namespace rotor::kafka {

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
  // fills `out` (resized to reports.size()). The reports are moved into the
  // commands (each is parsed once and never copied): their values are
  // unspecified afterwards. On success every report's
  // events are durable. Errors (the batch must then be retried, which is
  // harmless: repeats are no-ops): kIoError, kCancelled, kCorruption,
  // kInternal from the log, kConflict when a report kept conflicting;
  // entries of `out` are then meaningless.
  Status Ingest(std::span<AgentReport> reports, const std::function<Time()>& clock,
                std::vector<domain::ReportOutcome>* out);

 private:
  domain::CommandService& service_;
  std::string actor_;
  const Micros max_clock_skew_;
};

// The principal (role ingest) of a consumer of `reports_topic`:
// "kafka:<reports_topic>". Token names cannot contain ':', so no token can
// pass for it.
std::string KafkaIngestActor(std::string_view reports_topic);

}  // namespace rotor::kafka
