// ReportConsumer: consumes agent reports from Kafka (`rotor.agent-reports`)
// in a consumer group and turns them into durable events.
//
// Each message is a protobuf rotor.v1.AgentReport, or its JSON mapping when
// the header `content-type` is `application/json`. The consumer works in
// batches: it takes up to `batch_max` messages (or what arrives within
// `batch_wait` of the first), executes IngestAgentReport for each through a
// ReportIngestor (the command's time comes from the injected clock), sends
// what it cannot use to the dead-letter topic, and only when every event is
// durable (Append returned) and every dead letter acknowledged does it
// commit the batch's offsets (asynchronously: the next batch does not wait
// for the broker; before partitions are given up and on close it waits).
// Batches are pipelined: while one is ingested (on one of the consumer's two
// ingest threads), the next is polled, parsed and ingested too (at most two
// in flight; the command service decides the second while the first's events
// are written), and batches are finished and committed in the order they
// were taken. So:
//   - at least once: a crash before the commit redelivers the batch, and a
//     redelivered report is a no-op (its report_id is an idempotency key);
//   - a malformed message (does not parse, fails validation, a report_id
//     already used by another agent) goes to `rotor.agent-reports.dlq` with
//     the error in the `rotor-error` header (dead_letter.h); nothing is
//     dropped silently;
//   - a report the domain refuses by rule (a revoked agent) is an event,
//     AgentReportRejected, not a dead letter;
//   - on a rebalance, the batches in flight and in hand are finished and
//     committed before the partitions are given up;
//   - a broker restart is survived: librdkafka reconnects, a commit that
//     failed is sent again with the next batch, or within a second when idle.
// enable.auto.commit=false is required; auto.offset.reset defaults to earliest.
//
// Ownership: the consumer owns its librdkafka clients; `ingestor` must
// outlive it. Thread safety: Run() is called from one thread (or by Start's
// thread); Stop() and every accessor may be called from any thread.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/task_threads.h"
#include "base/thread_annotations.h"
#include "base/time.h"
#include "services/kafka/client_config.h"
#include "services/kafka/dead_letter.h"
#include "services/kafka/report_ingestor.h"
#include "services/kafka/worker.h"

namespace rotor::kafka {

inline constexpr char kContentTypeHeader[] = "content-type";

struct ReportConsumerOptions {
  ClientSettings client;
  std::string topic = "rotor.agent-reports";
  std::string dlq_topic = "rotor.agent-reports.dlq";
  std::string group = "rotord";
  size_t batch_max = 5000;
  std::chrono::milliseconds batch_wait{50};
  // The command's `now`; called from the threads that ingest the batches.
  // Default: the system clock.
  std::function<Time()> clock;
};

// Consumer defaults (the user may override): auto.offset.reset=earliest;
// queued.min.messages=1000000, so that the prefetch is bounded by bytes
// (queued.max.messages.kbytes) and outlasts librdkafka's pause before it
// fetches again.
Properties ReportConsumerDefaults();
// Required: enable.auto.commit=false.
Properties ReportConsumerRequired();

// Parses a message's value by its content type ("" or a protobuf type:
// protobuf bytes; "application/json": the JSON mapping). Errors:
// kInvalidArgument naming what was wrong (including an unknown content type).
Result<AgentReport> ParseReportMessage(std::string_view content_type, std::string_view value);

class ReportConsumer {
 public:
  // Errors: kInvalidArgument (options, a librdkafka property).
  static Result<std::unique_ptr<ReportConsumer>> Create(ReportIngestor& ingestor,
                                                        ReportConsumerOptions options);
  ~ReportConsumer();
  ReportConsumer(const ReportConsumer&) = delete;
  ReportConsumer& operator=(const ReportConsumer&) = delete;

  // Consumes until Stop() (OK; the batch in hand is not committed and will
  // be redelivered) or an error that needs a restart (returned and kept in
  // status()): kIoError/kCancelled/kCorruption from the log, a dead letter
  // that failed, a fatal librdkafka error. Call it once per consumer.
  Status Run();
  void Start();
  void Stop();
  Status status() const { return worker_.status(); }

  // Metrics (messages, each counted once in one of the first four).
  uint64_t ingested() const { return ingested_.load(std::memory_order_relaxed); }
  uint64_t duplicates() const { return duplicates_.load(std::memory_order_relaxed); }
  uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  uint64_t dead_lettered() const { return dead_lettered_.load(std::memory_order_relaxed); }
  uint64_t malformed() const {
    return malformed_.load(std::memory_order_relaxed);
  }  // subset of dlq
  uint64_t batches() const { return batches_.load(std::memory_order_relaxed); }
  uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  uint64_t commit_failures() const { return commit_failures_.load(std::memory_order_relaxed); }
  // Messages processed and committed: ingested + duplicates + rejected + dead letters.
  uint64_t processed() const;
  // Messages behind the high watermarks of the assigned partitions, as of
  // the last batch (librdkafka's cached watermarks; 0 before the first).
  uint64_t lag() const { return lag_.load(std::memory_order_relaxed); }
  // The highest offset this consumer committed, by (topic, partition).
  std::map<std::pair<std::string, int32_t>, int64_t> committed() const EXCLUDES(mu_);
  // Partitions assigned to this member now (changes on each rebalance).
  uint64_t assigned_partitions() const { return assigned_.load(std::memory_order_relaxed); }

 private:
  class Rebalance;
  class CommitResults;
  using Offsets = std::map<std::pair<std::string, int32_t>, int64_t>;

  ReportConsumer(ReportIngestor& ingestor, ReportConsumerOptions options);
  struct Batch;  // report_consumer_batch.cc
  // The batches being ingested, oldest first.
  struct InFlight {
    InFlight();
    ~InFlight();
    std::deque<std::unique_ptr<Batch>> batches;
  };
  static constexpr size_t kMaxInFlight = 2;

  // Waits for a first message, then gathers up to batch_max; returns early,
  // with nothing gathered, when the oldest batch in flight is ingested.
  // Errors: fatal only.
  Status FillBatch();
  // Parses pending_ (into a Batch, leaving pending_ empty) and starts its ingest.
  void Launch();
  // Whether the oldest batch in flight is ingested (false when none is).
  bool OldestIngested() const;
  // Waits for the oldest batch's ingest, then dead-letters what it cannot
  // use and commits it. Errors: as Run; the batches after it must then be
  // abandoned.
  Status FinishOldest();
  // Finishes every batch in flight; on an error abandons the rest. Errors: as Run.
  Status FinishAll();
  // Waits for the batches in flight and drops them uncommitted.
  void AbandonInFlight();
  // Finishes the batches in flight, then ingests and finishes pending_.
  // Errors: as Run.
  Status ProcessBatch();
  // Commits uncommitted_; an offset leaves it once a commit of it (or of a
  // later one) succeeded, so what fails goes again with the next commit.
  // kAsync after each batch (the events are durable already; the result
  // comes to OnCommitted), kWait before giving partitions up and on close.
  enum class CommitMode { kAsync, kWait };
  void CommitOffsets(CommitMode mode);
  // The offset_commit_cb: every commit's result, served by consume().
  void OnCommitted(RdKafka::ErrorCode err, std::vector<RdKafka::TopicPartition*>& offsets);
  // Marks what a successful commit covered as committed.
  void RecordCommitted(RdKafka::ErrorCode err, const std::vector<RdKafka::TopicPartition*>& offsets)
      EXCLUDES(mu_);
  // Recomputes lag() from the assignment's positions and cached watermarks.
  void UpdateLag();
  void OnRebalance(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                   std::vector<RdKafka::TopicPartition*>& partitions);
  // Run()'s work: consume batches until Stop() or an error. Errors: as Run().
  Status Consume();

  ReportIngestor& ingestor_;
  const ReportConsumerOptions options_;
  std::unique_ptr<KafkaEvents> events_;
  std::unique_ptr<Rebalance> rebalance_;
  std::unique_ptr<CommitResults> commit_results_;
  std::unique_ptr<DeadLetterProducer> dlq_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;

  // Consumer thread only.
  std::vector<std::unique_ptr<RdKafka::Message>> pending_;
  InFlight in_flight_;
  Offsets uncommitted_;
  std::chrono::steady_clock::time_point last_commit_sent_{};
  Status rebalance_failure_;

  std::atomic<uint64_t> ingested_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> dead_lettered_{0};
  std::atomic<uint64_t> malformed_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> commit_failures_{0};
  std::atomic<uint64_t> lag_{0};
  std::atomic<uint64_t> assigned_{0};
  bool closed_ = false;  // consumer thread (or the destructor after it)
  // kMaxInFlight threads; each batch's ingest runs on one of them.
  std::unique_ptr<TaskThreads> ingest_threads_;

  mutable Mutex mu_;
  Offsets committed_ GUARDED_BY(mu_);
  Worker worker_{"report consumer"};  // last: its thread is joined before the rest goes
};

}  // namespace rotor::kafka
