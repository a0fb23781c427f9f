// The event relay against a real broker: every event in log order with its
// key, value and headers, read back with Debian's kcat; resuming after the
// durable checkpoint; refusing a checkpoint of another log.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "events/record.h"
#include "events/rocksdb_event_log.h"
#include "services/kafka/event_relay.h"
#include "services/kafka/topic_admin.h"
#include "tests/services/kafka/kafka_test_util.h"
#include "tests/testing/temp_dir.h"

namespace rotor::kafka {
namespace {

using testing::Kcat;
using testing::KcatRecord;
using testing::WaitFor;

class EventRelayTest : public testing::KafkaTest {
 protected:
  void SetUp() override {
    auto log = RocksDbEventLog::Open(dir_.Sub("log"));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    topic_ = testing::UniqueTopic("events");
    ASSERT_TRUE(EnsureTopic(Client(), topic_, 3).ok());
  }

  EventRelayOptions Options() const {
    EventRelayOptions o;
    o.client = Client();
    o.topic = topic_;
    o.checkpoint_path = dir_.Sub("log.relay-checkpoint");
    return o;
  }

  // Runs a relay until the broker acknowledged the whole log, then stops it.
  void RelayEverything() {
    auto relay = EventRelay::Create(*log_, Options());
    ASSERT_TRUE(relay.ok()) << relay.status().ToString();
    (*relay)->Start();
    uint64_t head = log_->Head();
    EXPECT_TRUE(WaitFor([&] { return (*relay)->acknowledged() == head; }));
    (*relay)->Stop();
    EXPECT_TRUE((*relay)->status().ok()) << (*relay)->status().ToString();
    EXPECT_EQ((*relay)->checkpoint(), head);
    EXPECT_EQ((*relay)->lag(), 0u);
  }

  rotor::testing::TempDir dir_;
  std::unique_ptr<RocksDbEventLog> log_;
  std::string topic_;
};

TEST_F(EventRelayTest, PublishesEveryEventInLogOrderWithKeyValueAndHeaders) {
  testing::FillLog(*log_, 600, 3, 7);
  RelayEverything();

  std::vector<KcatRecord> records = Kcat(bootstrap(), topic_);
  ASSERT_EQ(records.size(), 600u);
  std::map<int32_t, uint64_t> last_in_partition;
  std::map<std::string, int32_t> partition_of_stream;
  std::set<uint64_t> seen;
  for (const KcatRecord& r : records) {
    RecordedEvent published;
    ASSERT_TRUE(DecodeEnvelope(r.value, &published).ok());
    RecordedEvent stored;
    ASSERT_TRUE(log_->ReadOne(published.sequence, &stored).ok());
    EXPECT_EQ(r.value, EncodeEnvelope(stored)) << "the value is the envelope's protobuf bytes";
    EXPECT_EQ(r.key, stored.stream_id);
    EXPECT_EQ(r.headers.at("rotor-event-type"), stored.event_type);
    EXPECT_EQ(r.headers.at("rotor-sequence"), std::to_string(stored.sequence));
    EXPECT_GT(published.sequence, last_in_partition[r.partition]) << "log order per partition";
    last_in_partition[r.partition] = published.sequence;
    auto [it, first] = partition_of_stream.emplace(r.key, r.partition);
    EXPECT_EQ(it->second, r.partition) << "one stream, one partition";
    seen.insert(published.sequence);
  }
  EXPECT_EQ(seen.size(), 600u);
  EXPECT_EQ(*seen.begin(), 1u);
  EXPECT_EQ(*seen.rbegin(), 600u);
  EXPECT_GT(last_in_partition.size(), 1u) << "keys spread over the partitions";
}

TEST_F(EventRelayTest, ResumesAfterItsDurableCheckpoint) {
  testing::FillLog(*log_, 250, 5, 4);
  RelayEverything();
  auto stored = RelayCheckpointFile(Options().checkpoint_path).Load();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->sequence, 250u);

  testing::FillLog(*log_, 120, 4, 4);
  RelayEverything();

  std::map<uint64_t, int> count;
  for (const KcatRecord& r : Kcat(bootstrap(), topic_)) {
    count[std::stoull(r.headers.at("rotor-sequence"))]++;
  }
  ASSERT_EQ(count.size(), 370u);
  for (uint64_t s = 1; s <= 370; ++s) EXPECT_EQ(count[s], 1) << "sequence " << s;
}

TEST(RelayCheckpointFileTest, StoresAtomicallyAndLoadsBack) {
  rotor::testing::TempDir dir;
  RelayCheckpointFile file(dir.Sub("relay.checkpoint"));
  auto missing = file.Load();
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->sequence, 0u);
  RelayPosition position{42, Sha256("event 42")};
  ASSERT_TRUE(file.Store(position).ok());
  auto loaded = file.Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, position);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("relay.checkpoint.tmp")));

  std::ofstream(dir.Sub("relay.checkpoint")) << "rotor-relay-checkpoint 1 12\n";
  EXPECT_EQ(file.Load().status().code(), StatusCode::kCorruption);
}

TEST(RelayCheckpointFileTest, RelayRefusesACheckpointOfAnotherLog) {
  rotor::testing::TempDir dir;
  auto log = RocksDbEventLog::Open(dir.Sub("log"));
  ASSERT_TRUE(log.ok());
  testing::FillLog(**log, 10, 1, 2);
  EventRelayOptions options;
  options.client.brokers = "127.0.0.1:1";  // never contacted
  options.checkpoint_path = dir.Sub("relay.checkpoint");

  ASSERT_TRUE(RelayCheckpointFile(options.checkpoint_path).Store({5, Sha256("other")}).ok());
  EXPECT_EQ(EventRelay::Create(**log, options).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(RelayCheckpointFile(options.checkpoint_path).Store({11, Sha256("x")}).ok());
  EXPECT_EQ(EventRelay::Create(**log, options).status().code(), StatusCode::kFailedPrecondition);

  RecordedEvent fifth;
  ASSERT_TRUE((*log)->ReadOne(5, &fifth).ok());
  ASSERT_TRUE(RelayCheckpointFile(options.checkpoint_path).Store({5, fifth.hash}).ok());
  auto relay = EventRelay::Create(**log, options);
  ASSERT_TRUE(relay.ok()) << relay.status().ToString();
  EXPECT_EQ((*relay)->checkpoint(), 5u);
  EXPECT_EQ((*relay)->lag(), 5u);
}

TEST(RelayOptionsTest, IdempotenceAndAcksAllCannotBeTurnedOff) {
  ClientSettings client;
  client.properties = {{"enable.idempotence", "false"}, {"acks", "1"}};
  auto conf = BuildConf(client, RelayProducerDefaults(), RelayProducerRequired(), nullptr);
  ASSERT_TRUE(conf.ok());
  std::string value;
  ASSERT_EQ((*conf)->get("enable.idempotence", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "true");
  // acks is a topic property; librdkafka reads acks=all back as -1.
  ASSERT_EQ((*conf)->get("acks", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "-1");
}

}  // namespace
}  // namespace rotor::kafka
