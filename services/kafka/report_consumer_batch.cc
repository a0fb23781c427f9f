// ReportConsumer's batches: parsing a batch's messages, ingesting it on a
// thread of its own, and finishing it (dead letters, offsets) in the order
// the batches were taken. See report_consumer.h for the contract.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cctype>
#include <future>

#include "events/codec.h"
#include "services/kafka/report_consumer.h"

namespace rotor::kafka {
namespace {

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

// A batch taken from pending_: its messages, what parsed, and its ingest,
// running on one of ingest_threads_.
struct ReportConsumer::Batch {
  std::vector<std::unique_ptr<RdKafka::Message>> messages;
  std::vector<AgentReport> reports;
  std::vector<size_t> report_message;  // reports[i] came from messages[report_message[i]]
  std::vector<std::pair<size_t, std::string>> letters;  // (message index, error)
  size_t malformed = 0;
  std::vector<domain::ReportOutcome> results;
  std::future<Status> ingested;  // waited for before the batch goes (the ingest uses it)
};

ReportConsumer::InFlight::InFlight() = default;
ReportConsumer::InFlight::~InFlight() = default;

void ReportConsumer::Launch() {
  auto batch = std::make_unique<Batch>();
  batch->messages.swap(pending_);
  for (size_t i = 0; i < batch->messages.size(); ++i) {
    RdKafka::Message& m = *batch->messages[i];
    Result<AgentReport> report = ParseReportMessage(
        ContentType(m), std::string_view(static_cast<const char*>(m.payload()), m.len()));
    if (report.ok()) {
      batch->reports.push_back(std::move(*report));
      batch->report_message.push_back(i);
    } else {
      batch->letters.emplace_back(i, report.status().ToString());
    }
  }
  batch->malformed = batch->letters.size();
  Batch* b = batch.get();
  b->ingested = ingest_threads_->Submit(
      [this, b] { return ingestor_.Ingest(b->reports, options_.clock, &b->results); });
  in_flight_.batches.push_back(std::move(batch));
}

bool ReportConsumer::OldestIngested() const {
  return !in_flight_.batches.empty() && in_flight_.batches.front()->ingested.wait_for(
                                            std::chrono::seconds(0)) == std::future_status::ready;
}

Status ReportConsumer::FinishOldest() {
  std::unique_ptr<Batch> b = std::move(in_flight_.batches.front());
  in_flight_.batches.pop_front();
  ROTOR_RETURN_IF_ERROR(b->ingested.get());
  uint64_t counts[domain::kReportDispositions] = {};
  for (size_t r = 0; r < b->results.size(); ++r) {
    counts[static_cast<int>(b->results[r].disposition)]++;
    if (b->results[r].disposition == domain::ReportDisposition::kInvalid) {
      b->letters.emplace_back(b->report_message[r], b->results[r].error.ToString());
    }
  }
  for (const auto& [index, error] : b->letters) {
    const RdKafka::Message& m = *b->messages[index];
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
  for (const auto& m : b->messages) {
    int64_t& next = uncommitted_[{m->topic_name(), m->partition()}];
    next = std::max(next, m->offset() + 1);
  }
  ingested_.fetch_add(counts[static_cast<int>(domain::ReportDisposition::kIngested)]);
  duplicates_.fetch_add(counts[static_cast<int>(domain::ReportDisposition::kDuplicate)]);
  rejected_.fetch_add(counts[static_cast<int>(domain::ReportDisposition::kRejected)]);
  dead_lettered_.fetch_add(b->letters.size());
  malformed_.fetch_add(b->malformed);
  batches_.fetch_add(1);
  CommitOffsets(CommitMode::kAsync);
  UpdateLag();
  return Status::Ok();
}

Status ReportConsumer::FinishAll() {
  while (!in_flight_.batches.empty()) {
    Status s = FinishOldest();
    if (!s.ok()) {
      AbandonInFlight();
      return s;
    }
  }
  return Status::Ok();
}

void ReportConsumer::AbandonInFlight() {
  // Each batch's ingest is waited for; what it made durable is not
  // committed and comes again as repeats.
  for (const std::unique_ptr<Batch>& b : in_flight_.batches) b->ingested.wait();
  in_flight_.batches.clear();
}

Status ReportConsumer::ProcessBatch() {
  ROTOR_RETURN_IF_ERROR(FinishAll());
  if (pending_.empty()) return Status::Ok();
  Launch();
  return FinishAll();
}

}  // namespace rotor::kafka
