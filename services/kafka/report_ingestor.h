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
// Throughput: CommandService::Execute holds the service's mutex across the
// durable append, so one service makes one fsync per report. With `shards`
// > 1 the ingestor adds shards-1 private CommandServices over the same log
// (the command service is built for several services sharing a log) and
// routes each report by a hash of its agent id, one thread per shard; their
// concurrent appends are merged by the log's group commit. Each service
// folds every event of the log, so CPU per report grows with the shard
// count (docs/kafka.md, "Throughput").
//
// Ownership: `service` and `log` must outlive the ingestor. Thread safety:
// Ingest() is called from one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "events/event_log.h"
#include "events/event_types.h"
#include "events/status.h"
#include "events/time.h"
#include "services/domain/command_service.h"

namespace rotor::kafka {

enum class ReportDisposition {
  kIngested,   // appended an AgentInventoryReported
  kDuplicate,  // changed nothing: a redelivered, repeated or outdated report
  kRejected,   // appended an AgentReportRejected (e.g. a revoked agent)
  kInvalid,    // refused by the domain (bad field, report_id of another agent): dead letter
};

struct ReportResult {
  ReportDisposition disposition = ReportDisposition::kIngested;
  Status error;  // kInvalid: the reason
};

class ReportIngestor {
 public:
  ReportIngestor(domain::CommandService& service, EventLog& log, size_t shards = 1);
  ~ReportIngestor();
  ReportIngestor(const ReportIngestor&) = delete;
  ReportIngestor& operator=(const ReportIngestor&) = delete;

  // Executes IngestAgentReport{reports[i], clock()} for every report and
  // fills `out` (resized to reports.size()). On success every report's
  // events are durable. Errors (the batch must then be retried, which is
  // harmless: repeats are no-ops): kIoError, kCancelled, kCorruption,
  // kInternal from the log, kConflict when a report kept conflicting;
  // entries of `out` are then meaningless.
  Status Ingest(std::span<const AgentReport> reports, const std::function<Time()>& clock,
                std::vector<ReportResult>* out);

  size_t shards() const { return services_.size(); }

 private:
  // Executes reports[i] for each i in `indexes`, in order, on `service`.
  static Status RunShard(domain::CommandService& service, std::span<const AgentReport> reports,
                         const std::vector<size_t>& indexes, const std::function<Time()>& clock,
                         std::vector<ReportResult>& out);

  std::vector<std::unique_ptr<domain::CommandService>> owned_;
  std::vector<domain::CommandService*> services_;  // [0] is the caller's
  std::vector<std::vector<size_t>> routes_;        // per shard, reused
};

// Whether `error` from CommandService::Execute is the report's fault (goes to
// the dead-letter topic) rather than the system's (retry later).
bool IsReportError(const Status& error);

}  // namespace rotor::kafka
