#include "services/kafka/report_consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

namespace rotor::kafka {
namespace {

constexpr std::chrono::milliseconds kPollSlice{100};
// How long an empty poll waits while a batch is in flight (its commit waits
// for no longer).
constexpr std::chrono::milliseconds kInFlightPollSlice{1};
// How often an idle consumer sends offsets whose commit has not succeeded yet.
constexpr std::chrono::seconds kCommitRetry{1};
// librdkafka 2.0 stops fetching once the consumer's queue holds
// queued.min.messages (100,000 by default, over all its partitions) and looks
// again only about a second later (2.1 added fetch.queue.backoff.ms). Rotor
// drains 100,000 reports in less than that, so during a catch-up the queue
// ran dry every cycle (docs/kafka.md). With this the prefetch is bounded by
// queued.max.messages.kbytes alone (64 MB by default, several seconds of
// reports).
constexpr char kQueuedMinMessages[] = "1000000";

}  // namespace

Properties ReportConsumerDefaults() {
  return {{"auto.offset.reset", "earliest"},
          {"enable.partition.eof", "false"},
          {"queued.min.messages", kQueuedMinMessages}};
}

Properties ReportConsumerRequired() { return {{"enable.auto.commit", "false"}}; }

class ReportConsumer::Rebalance : public RdKafka::RebalanceCb {
 public:
  explicit Rebalance(ReportConsumer* owner) : owner_(owner) {}
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    owner_->OnRebalance(consumer, err, partitions);
  }

 private:
  ReportConsumer* owner_;
};

class ReportConsumer::CommitResults : public RdKafka::OffsetCommitCb {
 public:
  explicit CommitResults(ReportConsumer* owner) : owner_(owner) {}
  void offset_commit_cb(RdKafka::ErrorCode err,
                        std::vector<RdKafka::TopicPartition*>& offsets) override {
    owner_->OnCommitted(err, offsets);
  }

 private:
  ReportConsumer* owner_;
};

Result<std::unique_ptr<ReportConsumer>> ReportConsumer::Create(ReportIngestor& ingestor,
                                                               ReportConsumerOptions options) {
  if (options.topic.empty() || options.dlq_topic.empty() || options.group.empty()) {
    return Status::InvalidArgument(
        "report consumer: topic, dead-letter topic and group are needed");
  }
  if (options.batch_max == 0) return Status::InvalidArgument("report consumer: batch_max is 0");
  if (!options.clock) {
    options.clock = [] {
      return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
    };
  }
  std::unique_ptr<ReportConsumer> c(new ReportConsumer(ingestor, std::move(options)));
  Result<std::unique_ptr<TaskThreads>> threads = TaskThreads::Start(kMaxInFlight);
  if (!threads.ok()) return threads.status().WithContext("report consumer: ingest threads");
  c->ingest_threads_ = std::move(*threads);
  Result<std::unique_ptr<DeadLetterProducer>> dlq =
      DeadLetterProducer::Create(c->options_.client, c->options_.dlq_topic);
  if (!dlq.ok()) return dlq.status();
  c->dlq_ = std::move(*dlq);
  Properties required = ReportConsumerRequired();
  required.emplace_back("group.id", c->options_.group);
  Result<std::unique_ptr<RdKafka::Conf>> conf =
      BuildConf(c->options_.client, ReportConsumerDefaults(), required, c->events_.get());
  if (!conf.ok()) return conf.status().WithContext("report consumer");
  std::string error;
  if ((*conf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(c->rebalance_.get()),
                   error) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("report consumer: rebalance_cb: " + error);
  }
  if ((*conf)->set("offset_commit_cb",
                   static_cast<RdKafka::OffsetCommitCb*>(c->commit_results_.get()),
                   error) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("report consumer: offset_commit_cb: " + error);
  }
  c->consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), error));
  if (c->consumer_ == nullptr) return Status::InvalidArgument("report consumer: " + error);
  return c;
}

ReportConsumer::ReportConsumer(ReportIngestor& ingestor, ReportConsumerOptions options)
    : ingestor_(ingestor),
      options_(std::move(options)),
      events_(std::make_unique<KafkaEvents>("report consumer")),
      rebalance_(std::make_unique<Rebalance>(this)),
      commit_results_(std::make_unique<CommitResults>(this)) {}

ReportConsumer::~ReportConsumer() {
  Stop();
  AbandonInFlight();
  pending_.clear();
  if (consumer_ != nullptr && !closed_) consumer_->close();
}

uint64_t ReportConsumer::processed() const {
  return ingested() + duplicates() + rejected() + dead_lettered();
}

ReportConsumer::Offsets ReportConsumer::committed() const {
  MutexLock lock(&mu_);
  return committed_;
}

void ReportConsumer::Start() {
  worker_.Start([this] { return Consume(); });
}

void ReportConsumer::Stop() { worker_.Stop(); }

Status ReportConsumer::Run() {
  return worker_.Run([this] { return Consume(); });
}

Status ReportConsumer::Consume() {
  RdKafka::ErrorCode err = consumer_->subscribe({options_.topic});
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::InvalidArgument("report consumer: subscribe to " + options_.topic + ": " +
                                   ErrorText(err));
  }
  Logger().info("report consumer: group {} subscribed to {} (dead letters to {})", options_.group,
                options_.topic, options_.dlq_topic);
  Status result;
  while (!worker_.stopping()) {
    result = FillBatch();
    if (result.ok() && !rebalance_failure_.ok()) result = rebalance_failure_;
    // Finish what is ingested, and make room for pending_.
    while (result.ok() &&
           (OldestIngested() || (!pending_.empty() && in_flight_.batches.size() >= kMaxInFlight))) {
      result = FinishOldest();
    }
    if (result.ok() && !pending_.empty() && !worker_.stopping()) Launch();
    if (!result.ok()) break;
  }
  // What is in flight is durable: finished and committed on a clean stop.
  // Unprocessed messages are not committed: the group redelivers them.
  if (result.ok()) {
    result = FinishAll();
  } else {
    AbandonInFlight();
  }
  pending_.clear();
  dlq_->Abandon();
  CommitOffsets(CommitMode::kWait);
  consumer_->close();
  closed_ = true;
  return result;
}

Status ReportConsumer::FillBatch() {
  std::chrono::steady_clock::time_point deadline{};
  while (pending_.size() < options_.batch_max && !worker_.stopping()) {
    auto timeout = kPollSlice;
    if (pending_.empty() && !in_flight_.batches.empty()) {
      if (OldestIngested()) break;
      timeout = kInFlightPollSlice;
    } else if (!pending_.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      timeout = std::min(left, kPollSlice);
    }
    std::unique_ptr<RdKafka::Message> message(
        consumer_->consume(static_cast<int>(timeout.count())));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        if (pending_.empty()) deadline = std::chrono::steady_clock::now() + options_.batch_wait;
        pending_.push_back(std::move(message));
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        // Idle: a commit that failed (the broker was away) is sent again
        // now, not only with the next batch, which may never come.
        if (pending_.empty() && !uncommitted_.empty() &&
            std::chrono::steady_clock::now() - last_commit_sent_ >= kCommitRetry) {
          CommitOffsets(CommitMode::kAsync);
        }
        break;
      default:
        if (events_->fatal() || message->err() == RdKafka::ERR__FATAL) {
          std::string reason;
          consumer_->fatal_error(reason);
          return Status::IoError("report consumer: fatal error: " + reason);
        }
        Logger().warn("report consumer: {}", message->errstr());
        break;
    }
    if (!rebalance_failure_.ok()) return rebalance_failure_;
  }
  return Status::Ok();
}

void ReportConsumer::UpdateLag() {
  std::vector<RdKafka::TopicPartition*> partitions;
  if (consumer_->assignment(partitions) != RdKafka::ERR_NO_ERROR) return;
  consumer_->position(partitions);
  uint64_t lag = 0;
  for (RdKafka::TopicPartition* tp : partitions) {
    int64_t low = 0, high = 0;
    if (tp->offset() >= 0 &&
        consumer_->get_watermark_offsets(tp->topic(), tp->partition(), &low, &high) ==
            RdKafka::ERR_NO_ERROR &&
        high > tp->offset()) {
      lag += static_cast<uint64_t>(high - tp->offset());
    }
  }
  RdKafka::TopicPartition::destroy(partitions);
  lag_.store(lag, std::memory_order_relaxed);
}

void ReportConsumer::CommitOffsets(CommitMode mode) {
  if (uncommitted_.empty()) return;
  std::vector<RdKafka::TopicPartition*> offsets;
  for (const auto& [where, offset] : uncommitted_) {
    offsets.push_back(RdKafka::TopicPartition::create(where.first, where.second, offset));
  }
  last_commit_sent_ = std::chrono::steady_clock::now();
  // Either way the result also reaches OnCommitted, on a later consume().
  RdKafka::ErrorCode err =
      mode == CommitMode::kWait ? consumer_->commitSync(offsets) : consumer_->commitAsync(offsets);
  if (mode == CommitMode::kWait || err != RdKafka::ERR_NO_ERROR) RecordCommitted(err, offsets);
  RdKafka::TopicPartition::destroy(offsets);
}

void ReportConsumer::OnCommitted(RdKafka::ErrorCode err,
                                 std::vector<RdKafka::TopicPartition*>& offsets) {
  if (err == RdKafka::ERR__NO_OFFSET) return;  // nothing was left to commit
  RecordCommitted(err, offsets);
  if (err == RdKafka::ERR_NO_ERROR) {
    commits_.fetch_add(1);
  } else {
    commit_failures_.fetch_add(1);
    Logger().warn("report consumer: commit failed ({}); it is sent again", ErrorText(err));
  }
}

void ReportConsumer::RecordCommitted(RdKafka::ErrorCode err,
                                     const std::vector<RdKafka::TopicPartition*>& offsets) {
  // A failed commit counts for no partition (commitSync leaves per-partition
  // errors unset): every offset is sent again with the next commit.
  if (err != RdKafka::ERR_NO_ERROR) return;
  Offsets done;
  for (const RdKafka::TopicPartition* tp : offsets) {
    if (tp->err() == RdKafka::ERR_NO_ERROR) done[{tp->topic(), tp->partition()}] = tp->offset();
  }
  for (const auto& [where, offset] : done) {
    // A later batch may have raised the offset meanwhile; keep it then.
    auto it = uncommitted_.find(where);
    if (it != uncommitted_.end() && it->second <= offset) uncommitted_.erase(it);
  }
  MutexLock lock(&mu_);
  for (const auto& [where, offset] : done) {
    int64_t& committed = committed_[where];
    committed = std::max(committed, offset);
  }
}

void ReportConsumer::OnRebalance(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                                 std::vector<RdKafka::TopicPartition*>& partitions) {
  bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    Logger().info("report consumer: assigned {} partitions", partitions.size());
    if (cooperative) {
      delete consumer->incremental_assign(partitions);
    } else {
      consumer->assign(partitions);
      assigned_.store(0, std::memory_order_relaxed);
    }
    assigned_.fetch_add(partitions.size(), std::memory_order_relaxed);
    return;
  }
  Logger().info("report consumer: {} partitions revoked ({})", partitions.size(),
                RdKafka::err2str(err));
  // Finish the batches in flight and in hand, and commit them while the
  // partitions are still ours.
  if ((!pending_.empty() || !in_flight_.batches.empty()) && !worker_.stopping() &&
      rebalance_failure_.ok()) {
    rebalance_failure_ = ProcessBatch();
  }
  if (!rebalance_failure_.ok()) AbandonInFlight();
  CommitOffsets(CommitMode::kWait);
  // Whatever is left of the revoked partitions belongs to their next owner.
  auto revoked = [&](const std::string& topic, int32_t partition) {
    for (const RdKafka::TopicPartition* tp : partitions) {
      if (tp->topic() == topic && tp->partition() == partition) return true;
    }
    return false;
  };
  std::erase_if(pending_, [&](const std::unique_ptr<RdKafka::Message>& m) {
    return revoked(m->topic_name(), m->partition());
  });
  std::erase_if(uncommitted_,
                [&](const auto& entry) { return revoked(entry.first.first, entry.first.second); });
  if (cooperative) {
    delete consumer->incremental_unassign(partitions);
    assigned_.fetch_sub(std::min<uint64_t>(partitions.size(), assigned_.load()),
                        std::memory_order_relaxed);
  } else {
    consumer->unassign();
    assigned_.store(0, std::memory_order_relaxed);
  }
}

}  // namespace rotor::kafka
