#include "services/kafka/topic_admin.h"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <thread>

namespace rotor::kafka {
namespace {

// Asks the cluster to create the topic. TOPIC_ALREADY_EXISTS is success.
Status CreateTopic(rd_kafka_t* rk, const std::string& topic, int partitions, int replication,
                   std::chrono::milliseconds timeout) {
  char error[512];
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication, error, sizeof(error));
  if (new_topic == nullptr) return Status::InvalidArgument("topic " + topic + ": " + error);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), error,
                                              sizeof(error));
  rd_kafka_CreateTopics(rk, &new_topic, 1, options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000);
  Status result;
  if (event == nullptr) {
    result = Status::DeadlineExceeded("create topic " + topic + ": no answer");
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    result = Status::IoError("create topic " + topic + ": " + rd_kafka_event_error_string(event));
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** topics =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count; ++i) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(topics[i]);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* why = rd_kafka_topic_result_error_string(topics[i]);
        result = Status::IoError("create topic " + topic + ": " + rd_kafka_err2str(err) +
                                 (why != nullptr ? std::string(": ") + why : ""));
      }
    }
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  return result;
}

// True when the metadata lists `topic` with `partitions` partitions, each led.
bool Led(RdKafka::Producer& client, const std::string& topic, int partitions) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&client, topic, nullptr, error));
  if (handle == nullptr) return false;
  RdKafka::Metadata* raw = nullptr;
  if (client.metadata(false, handle.get(), &raw, 5000) != RdKafka::ERR_NO_ERROR) return false;
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->topic() != topic || t->err() != RdKafka::ERR_NO_ERROR) continue;
    if (static_cast<int>(t->partitions()->size()) < partitions) return false;
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
      if (p->leader() < 0 || p->err() != RdKafka::ERR_NO_ERROR) return false;
    }
    return true;
  }
  return false;
}

}  // namespace

Status EnsureTopic(const ClientSettings& client, const std::string& topic, int partitions,
                   int replication, std::chrono::milliseconds timeout) {
  if (topic.empty() || partitions < 1 || replication < 1) {
    return Status::InvalidArgument("create topic '" + topic +
                                   "': needs a name, partitions >= 1 "
                                   "and replication >= 1");
  }
  KafkaEvents events("topic admin");
  Result<std::unique_ptr<RdKafka::Conf>> conf = BuildConf(client, {}, {}, &events);
  if (!conf.ok()) return conf.status();
  std::string error;
  std::unique_ptr<RdKafka::Producer> admin(RdKafka::Producer::create(conf->get(), error));
  if (admin == nullptr) return Status::InvalidArgument("topic admin client: " + error);
  ROTOR_RETURN_IF_ERROR(CreateTopic(admin->c_ptr(), topic, partitions, replication, timeout));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Led(*admin, topic, partitions)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::DeadlineExceeded("topic " + topic + " has no leader for every partition");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Ok();
}

}  // namespace rotor::kafka
