#include "services/kafka/report_consumer.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "events/codec.h"

namespace rotor::kafka {
namespace {

constexpr std::chrono::milliseconds kPollSlice{100};
// How often an idle consumer sends offsets whose commit has not succeeded yet.
constexpr std::chrono::seconds kCommitRetry{1};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The last `content-type` header of `message`, "" when none; valid while
// the message lives. (The C API reads it in place; the C++ Headers copy all.
// Call it before anything calls message.headers(), which takes the C headers
// over: the dead-letter producer does so only after parsing.)
std::string_view ContentType(RdKafka::Message& message) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message.c_ptr(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return "";
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, kContentTypeHeader, &value, &size) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      value == nullptr) {
    return "";
  }
  return {static_cast<const char*>(value), size};
}

}  // namespace

Properties ReportConsumerDefaults() {
  return {{"auto.offset.reset", "earliest"}, {"enable.partition.eof", "false"}};
}

Properties ReportConsumerRequired() { return {{"enable.auto.commit", "false"}}; }

Result<AgentReport> ParseReportMessage(std::string_view content_type, std::string_view value) {
  if (content_type.empty()) return ParseAgentReport(value);
  std::string type = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  if (type == "application/json") return ParseAgentReportJson(value);
  if (type.empty() || type == "application/x-protobuf" || type == "application/protobuf" ||
      type == "application/vnd.google.protobuf") {
    return ParseAgentReport(value);
  }
  return Status::InvalidArgument("unsupported content-type '" + std::string(content_type) +
                                 "' (want application/json or none for protobuf)");
}

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
    if (result.ok() && !pending_.empty() && !worker_.stopping()) {
      result = ProcessBatch();
    }
    if (!result.ok()) break;
  }
  // Unprocessed messages are not committed: the group redelivers them.
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
    if (!pending_.empty()) {
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

Status ReportConsumer::ProcessBatch() {
  reports_.clear();
  report_message_.clear();
  std::vector<std::pair<size_t, std::string>> letters;  // (message index, error)
  for (size_t i = 0; i < pending_.size(); ++i) {
    RdKafka::Message& m = *pending_[i];
    Result<AgentReport> report = ParseReportMessage(
        ContentType(m), std::string_view(static_cast<const char*>(m.payload()), m.len()));
    if (report.ok()) {
      reports_.push_back(std::move(*report));
      report_message_.push_back(i);
    } else {
      letters.emplace_back(i, report.status().ToString());
    }
  }
  size_t malformed = letters.size();
  ROTOR_RETURN_IF_ERROR(ingestor_.Ingest(reports_, options_.clock, &results_));
  uint64_t counts[domain::kReportDispositions] = {};
  for (size_t r = 0; r < results_.size(); ++r) {
    counts[static_cast<int>(results_[r].disposition)]++;
    if (results_[r].disposition == domain::ReportDisposition::kInvalid) {
      letters.emplace_back(report_message_[r], results_[r].error.ToString());
    }
  }
  for (const auto& [index, error] : letters) {
    const RdKafka::Message& m = *pending_[index];
    Logger().warn("report consumer: {} [{}] offset {} goes to {}: {}", m.topic_name(),
                  m.partition(), m.offset(), options_.dlq_topic, error);
    ROTOR_RETURN_IF_ERROR(dlq_->Add(m, error));
  }
  for (;;) {  // the dead letters must be acknowledged before the commit passes them
    Status flushed = dlq_->Flush(std::chrono::milliseconds(500));
    if (flushed.ok()) break;
    if (flushed.code() != StatusCode::kDeadlineExceeded) return flushed;
    if (worker_.stopping()) return Status::Ok();  // redelivered later
    Logger().warn("report consumer: {}", flushed.message());
  }
  for (const auto& m : pending_) {
    int64_t& next = uncommitted_[{m->topic_name(), m->partition()}];
    next = std::max(next, m->offset() + 1);
  }
  pending_.clear();
  ingested_.fetch_add(counts[static_cast<int>(domain::ReportDisposition::kIngested)]);
  duplicates_.fetch_add(counts[static_cast<int>(domain::ReportDisposition::kDuplicate)]);
  rejected_.fetch_add(counts[static_cast<int>(domain::ReportDisposition::kRejected)]);
  dead_lettered_.fetch_add(letters.size());
  malformed_.fetch_add(malformed);
  batches_.fetch_add(1);
  CommitOffsets(CommitMode::kAsync);
  UpdateLag();
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
  // Finish the batch in hand and commit it while the partitions are still ours.
  if (!pending_.empty() && !worker_.stopping() && rebalance_failure_.ok()) {
    rebalance_failure_ = ProcessBatch();
  }
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
