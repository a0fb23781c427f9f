#include "services/kafka/dead_letter.h"

#include <algorithm>

#include "services/kafka/event_relay.h"

namespace rotor::kafka {

class DeadLetterProducer::Callbacks : public RdKafka::DeliveryReportCb {
 public:
  explicit Callbacks(DeadLetterProducer* owner) : owner_(owner) {}
  void dr_cb(RdKafka::Message& message) override {
    if (owner_->outstanding_ > 0) owner_->outstanding_--;
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      owner_->delivered_++;
    } else if (message.err() != RdKafka::ERR__PURGE_QUEUE &&
               message.err() != RdKafka::ERR__PURGE_INFLIGHT && owner_->failure_.ok()) {
      owner_->failure_ = Status::IoError("dead letter to " + owner_->topic_ +
                                         " failed: " + ErrorText(message.err()));
    }
  }

 private:
  DeadLetterProducer* owner_;
};

DeadLetterProducer::DeadLetterProducer(std::string topic)
    : topic_(std::move(topic)),
      events_(std::make_unique<KafkaEvents>("dead-letter producer")),
      callbacks_(std::make_unique<Callbacks>(this)) {}

DeadLetterProducer::~DeadLetterProducer() { Abandon(); }

Result<std::unique_ptr<DeadLetterProducer>> DeadLetterProducer::Create(const ClientSettings& client,
                                                                       std::string topic) {
  if (topic.empty()) return Status::InvalidArgument("dead-letter producer: empty topic name");
  std::unique_ptr<DeadLetterProducer> dlq(new DeadLetterProducer(std::move(topic)));
  Result<std::unique_ptr<RdKafka::Conf>> conf =
      BuildConf(client, RelayProducerDefaults(), RelayProducerRequired(), dlq->events_.get());
  if (!conf.ok()) return conf.status().WithContext("dead-letter producer");
  std::string error;
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(dlq->callbacks_.get()),
                   error) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("dead-letter producer: dr_cb: " + error);
  }
  dlq->producer_.reset(RdKafka::Producer::create(conf->get(), error));
  if (dlq->producer_ == nullptr) {
    return Status::InvalidArgument("dead-letter producer: " + error);
  }
  return dlq;
}

Status DeadLetterProducer::Add(const RdKafka::Message& original, const std::string& error) {
  std::unique_ptr<RdKafka::Headers> headers;
  // headers() is non-const in rdkafkacpp.h although it only reads.
  RdKafka::Headers* from = const_cast<RdKafka::Message&>(original).headers();
  headers.reset(from != nullptr ? RdKafka::Headers::create(from->get_all())
                                : RdKafka::Headers::create());
  headers->add(kErrorHeader, error);
  headers->add(kOriginalTopicHeader, original.topic_name());
  headers->add(kOriginalPartitionHeader, std::to_string(original.partition()));
  headers->add(kOriginalOffsetHeader, std::to_string(original.offset()));
  const std::string* key = original.key();
  for (;;) {
    RdKafka::ErrorCode err = producer_->produce(
        topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<void*>(original.payload()), original.len(),
        key != nullptr ? key->data() : nullptr, key != nullptr ? key->size() : 0,
        std::max<int64_t>(0, original.timestamp().timestamp), headers.get(), nullptr);
    if (err == RdKafka::ERR_NO_ERROR) {
      (void)headers.release();
      outstanding_++;
      return Status::Ok();
    }
    if (err != RdKafka::ERR__QUEUE_FULL) {
      return Status::IoError("dead letter to " + topic_ + ": " + ErrorText(err));
    }
    producer_->poll(10);
  }
}

Status DeadLetterProducer::Flush(std::chrono::milliseconds timeout) {
  if (outstanding_ > 0) producer_->flush(static_cast<int>(timeout.count()));
  producer_->poll(0);
  if (!failure_.ok()) {
    Status failed = failure_;
    failure_ = Status::Ok();
    return failed;
  }
  if (outstanding_ > 0) {
    return Status::DeadlineExceeded(std::to_string(outstanding_) + " dead letters to " + topic_ +
                                    " not acknowledged yet");
  }
  return Status::Ok();
}

void DeadLetterProducer::Abandon() {
  if (producer_ == nullptr) return;
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  producer_->poll(0);
  outstanding_ = 0;
}

}  // namespace rotor::kafka
