#include "services/bench/kafka_raw.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "base/coding.h"
#include "services/bench/bench_util.h"
#include "services/bench/log_phases.h"
#include "services/kafka/event_relay.h"
#include "services/kafka/report_consumer.h"

namespace rotor::bench {
namespace {

using kafka::ClientSettings;

class DeliveryCounter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override { (m.err() ? failed : acked)++; }
  uint64_t acked = 0, failed = 0;
};

// A consumer in a fresh group with the report consumer's settings.
Result<std::unique_ptr<RdKafka::KafkaConsumer>> FreshConsumer(const ClientSettings& client,
                                                              kafka::KafkaEvents* events) {
  auto conf =
      kafka::BuildConf(client, kafka::ReportConsumerDefaults(),
                       {{"enable.auto.commit", "false"}, {"group.id", "raw-" + Suffix()}}, events);
  if (!conf.ok()) return conf.status();
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), error));
  if (consumer == nullptr) return Status::InvalidArgument(error);
  return consumer;
}

}  // namespace

std::string Suffix() { return std::to_string(std::random_device()() % 1000000); }

// The raw loop: the relay's producer settings, the same messages.
Result<double> RawProduce(const ClientSettings& client, const std::string& topic,
                          const std::vector<Outgoing>& messages) {
  DeliveryCounter counter;
  kafka::KafkaEvents events("raw producer");  // as the relay: librdkafka's log to spdlog
  auto conf = kafka::BuildConf(client, kafka::RelayProducerDefaults(),
                               kafka::RelayProducerRequired(), &events);
  if (!conf.ok()) return conf.status();
  std::string error;
  (*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&counter), error);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf->get(), error));
  if (producer == nullptr) return Status::InvalidArgument(error);
  Stopwatch clock;
  for (size_t i = 0; i < messages.size(); ++i) {
    const Outgoing& m = messages[i];
    RdKafka::Headers* headers = RdKafka::Headers::create();
    headers->add(kafka::kEventTypeHeader, m.type);
    headers->add(kafka::kSequenceHeader, m.sequence);
    for (;;) {
      RdKafka::ErrorCode err =
          producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                            const_cast<char*>(m.value.data()), m.value.size(), m.key.data(),
                            m.key.size(), m.timestamp_ms, headers, nullptr);
      if (err == RdKafka::ERR_NO_ERROR) break;
      if (err != RdKafka::ERR__QUEUE_FULL) return Status::IoError(kafka::ErrorText(err));
      producer->poll(10);
    }
    if (i % 2048 == 0) producer->poll(0);
  }
  while (counter.acked + counter.failed < messages.size()) producer->flush(100);
  if (counter.failed > 0) return Status::IoError("raw producer: deliveries failed");
  return clock.Seconds();
}

Result<ConsumeTimes> RawConsume(const ClientSettings& client, const std::string& topic,
                                uint64_t count) {
  kafka::KafkaEvents events("raw consumer");  // as the report consumer
  auto consumer = FreshConsumer(client, &events);
  if (!consumer.ok()) return consumer.status();
  Stopwatch clock;
  std::optional<Stopwatch> since_first;
  (*consumer)->subscribe({topic});
  uint64_t seen = 0, bytes = 0;
  while (seen < count) {
    std::unique_ptr<RdKafka::Message> m((*consumer)->consume(100));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    if (!since_first) since_first.emplace();
    bytes += m->len() + static_cast<const uint8_t*>(m->payload())[0];
    seen++;
  }
  ConsumeTimes times{clock.Seconds(), since_first->Seconds()};
  (*consumer)->close();
  spdlog::debug("raw consumer read {} bytes", bytes);
  return times;
}

namespace {

// Polls one batch as ReportConsumer::FillBatch does: up to `batch_max`
// messages, or what arrives within `wait` of the first.
std::vector<std::unique_ptr<RdKafka::Message>> PollBatch(RdKafka::KafkaConsumer& consumer,
                                                         size_t batch_max,
                                                         std::chrono::milliseconds wait) {
  std::vector<std::unique_ptr<RdKafka::Message>> batch;
  std::chrono::steady_clock::time_point deadline{};
  while (batch.size() < batch_max) {
    auto timeout = std::chrono::milliseconds(100);
    if (!batch.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      timeout = std::min(left, timeout);
    }
    std::unique_ptr<RdKafka::Message> m(consumer.consume(static_cast<int>(timeout.count())));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    if (batch.empty()) deadline = std::chrono::steady_clock::now() + wait;
    batch.push_back(std::move(m));
  }
  return batch;
}

// The next offset of every partition in `batch`, for a commit.
std::vector<RdKafka::TopicPartition*> NextOffsets(
    const std::vector<std::unique_ptr<RdKafka::Message>>& batch) {
  std::map<std::pair<std::string, int32_t>, int64_t> next;
  for (const auto& m : batch) {
    int64_t& offset = next[{m->topic_name(), m->partition()}];
    offset = std::max(offset, m->offset() + 1);
  }
  std::vector<RdKafka::TopicPartition*> offsets;
  offsets.reserve(next.size());
  for (const auto& [where, offset] : next) {
    offsets.push_back(RdKafka::TopicPartition::create(where.first, where.second, offset));
  }
  return offsets;
}

}  // namespace

Result<double> RawDurablePipe(const ClientSettings& client, const std::string& topic,
                              uint64_t count, size_t batch_max, int batch_wait_ms,
                              const std::string& db_path) {
  Result<std::unique_ptr<rocksdb::DB>> db = OpenRaw(db_path);
  if (!db.ok()) return db.status();
  kafka::KafkaEvents events("raw durable pipe");
  auto consumer = FreshConsumer(client, &events);
  if (!consumer.ok()) return consumer.status();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  Stopwatch clock;
  (*consumer)->subscribe({topic});
  uint64_t seen = 0;
  std::string key;
  while (seen < count) {
    auto batch = PollBatch(**consumer, batch_max, std::chrono::milliseconds(batch_wait_ms));
    rocksdb::WriteBatch write;
    for (const auto& m : batch) {
      key.clear();
      PutBigEndian32(&key, static_cast<uint32_t>(m->partition()));
      PutBigEndian64(&key, static_cast<uint64_t>(m->offset()));
      write.Put(key, rocksdb::Slice(static_cast<const char*>(m->payload()), m->len()));
    }
    rocksdb::Status s = (*db)->Write(sync, &write);
    if (!s.ok()) return Status::IoError("raw durable pipe: " + s.ToString());
    seen += batch.size();
    std::vector<RdKafka::TopicPartition*> offsets = NextOffsets(batch);
    RdKafka::ErrorCode err =
        seen < count ? (*consumer)->commitAsync(offsets) : (*consumer)->commitSync(offsets);
    RdKafka::TopicPartition::destroy(offsets);
    if (err != RdKafka::ERR_NO_ERROR) {
      return Status::IoError("raw durable pipe: commit: " + kafka::ErrorText(err));
    }
  }
  double seconds = clock.Seconds();
  (*consumer)->close();
  return seconds;
}

}  // namespace rotor::bench
