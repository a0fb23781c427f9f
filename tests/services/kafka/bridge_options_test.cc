// rotor-kafka-bridge's settings: the config file, pass-through properties,
// defaults and validation. No broker needed.
#include "services/kafka/bridge_options.h"

#include <gtest/gtest.h>

#include <fstream>

#include "services/kafka/report_consumer.h"
#include "tests/testing/temp_dir.h"

namespace rotor::kafka {
namespace {

TEST(BridgeOptionsTest, ConfigFileSetsTopicsGroupAndPassesSecuritySettingsThrough) {
  rotor::testing::TempDir dir;
  std::string path = dir.Sub("bridge.conf");
  std::ofstream(path) << "# Rotor's Kafka bridges\n"
                         "data.dir = /var/lib/rotor/log\n"
                         "brokers = kafka-1:9093,kafka-2:9093\n"
                         "group = rotord-eu\n"
                         "events.topic = corp.rotor.events   # trailing comment\n"
                         "consumer.batch.max = 2000\n"
                         "librdkafka.security.protocol = SASL_SSL\n"
                         "librdkafka.sasl.mechanisms = SCRAM-SHA-512\n"
                         "\n"
                         "librdkafka.ssl.ca.location = /etc/rotor/ca.pem\n";
  BridgeOptions o;
  ASSERT_TRUE(ApplyConfigFile(path, &o).ok());
  EXPECT_EQ(o.data_dir, "/var/lib/rotor/log");
  EXPECT_EQ(o.client.brokers, "kafka-1:9093,kafka-2:9093");
  EXPECT_EQ(o.group, "rotord-eu");
  EXPECT_EQ(o.events_topic, "corp.rotor.events");
  EXPECT_EQ(o.reports_topic, "rotor.agent-reports");
  EXPECT_EQ(o.batch_max, 2000u);
  Properties expected = {{"security.protocol", "SASL_SSL"},
                         {"sasl.mechanisms", "SCRAM-SHA-512"},
                         {"ssl.ca.location", "/etc/rotor/ca.pem"}};
  EXPECT_EQ(o.client.properties, expected);
  EXPECT_EQ(o.CheckpointPath(), "/var/lib/rotor/log.relay-checkpoint");
  EXPECT_EQ(o.ConsumerOptions().group, "rotord-eu");
  EXPECT_TRUE(ValidateBridgeOptions(o).ok());
}

TEST(BridgeOptionsTest, BadLinesNameTheFileAndLine) {
  rotor::testing::TempDir dir;
  std::string path = dir.Sub("bad.conf");
  std::ofstream(path) << "brokers = b:9092\nconsumer.batch.max = lots\n";
  BridgeOptions o;
  Status s = ApplyConfigFile(path, &o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("bad.conf:2"), std::string::npos) << s.message();
  EXPECT_EQ(ApplySetting("no.such.key", "1", &o).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyConfigFile(dir.Sub("missing.conf"), &o).code(), StatusCode::kIoError);
}

TEST(BridgeOptionsTest, TheClockSkewIsAPositiveNumberOfSeconds) {
  BridgeOptions o;
  EXPECT_EQ(o.max_clock_skew, std::chrono::minutes(5));
  ASSERT_TRUE(ApplySetting("consumer.max.clock.skew.s", "60", &o).ok());
  EXPECT_EQ(o.max_clock_skew, std::chrono::seconds(60));
  Status zero = ApplySetting("consumer.max.clock.skew.s", "0", &o);
  EXPECT_EQ(zero.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.message(), "consumer.max.clock.skew.s: '0' is not a positive number");
  EXPECT_EQ(o.max_clock_skew, std::chrono::seconds(60)) << "a refused value changes nothing";
}

TEST(BridgeOptionsTest, ValidationNamesWhatIsMissing) {
  BridgeOptions o;
  EXPECT_EQ(ValidateBridgeOptions(o).message(), "no data directory (--data-dir)");
  o.data_dir = "/tmp/log";
  EXPECT_EQ(ValidateBridgeOptions(o).message(), "no brokers (--brokers)");
  o.client.properties.emplace_back("bootstrap.servers", "b:9092");
  EXPECT_TRUE(ValidateBridgeOptions(o).ok());
  o.relay = false;
  o.consume = false;
  EXPECT_EQ(ValidateBridgeOptions(o).message(),
            "nothing to do: both the relay and the consumer are off");
}

TEST(BridgeOptionsTest, LibrdkafkaRefusesAnUnknownPassThroughProperty) {
  ClientSettings client;
  client.properties = {{"no.such.property", "1"}};
  auto conf = BuildConf(client, {}, {}, nullptr);
  EXPECT_EQ(conf.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(conf.status().message().find("no.such.property"), std::string::npos);
  EXPECT_EQ(ParseProperty("novalue").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseProperty("a=b=c")->second, "b=c");
}

// The report consumer's prefetch is bounded by bytes, not by librdkafka's
// 100,000 messages, which Rotor drains faster than librdkafka 2.0 fetches
// again; a user's setting still wins.
TEST(BridgeOptionsTest, TheReportConsumerPrefetchesByBytesUnlessTheUserSaysOtherwise) {
  auto value = [](const ClientSettings& client) {
    auto conf = BuildConf(client, ReportConsumerDefaults(), ReportConsumerRequired(), nullptr);
    EXPECT_TRUE(conf.ok()) << conf.status().ToString();
    std::string v;
    if (conf.ok()) (*conf)->get("queued.min.messages", v);
    return v;
  };
  EXPECT_EQ(value(ClientSettings{}), "1000000");
  ClientSettings user;
  user.properties = {{"queued.min.messages", "5000"}};
  EXPECT_EQ(value(user), "5000");
}

}  // namespace
}  // namespace rotor::kafka
