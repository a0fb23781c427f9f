#include "services/kafka/checkpoint_publisher.h"

#include <spdlog/spdlog.h>

#include "services/kafka/event_relay.h"

namespace rotor::kafka {

class CheckpointPublisher::Callbacks : public RdKafka::DeliveryReportCb {
 public:
  explicit Callbacks(CheckpointPublisher* owner) : owner_(owner) {}
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      owner_->delivered_.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    std::string error = "checkpoint to " + owner_->topic_ + " failed: " + ErrorText(message.err());
    spdlog::error("kafka: {}", error);
    MutexLock lock(&owner_->mu_);
    if (owner_->failure_.empty()) owner_->failure_ = error;
  }

 private:
  CheckpointPublisher* owner_;
};

CheckpointPublisher::CheckpointPublisher(std::string topic)
    : topic_(std::move(topic)),
      events_(std::make_unique<KafkaEvents>("checkpoint producer")),
      callbacks_(std::make_unique<Callbacks>(this)) {}

CheckpointPublisher::~CheckpointPublisher() {
  if (producer_ != nullptr) producer_->flush(5000);
}

Result<std::unique_ptr<CheckpointPublisher>> CheckpointPublisher::Create(
    const ClientSettings& client, std::string topic) {
  if (topic.empty()) return Status::InvalidArgument("checkpoint producer: empty topic name");
  std::unique_ptr<CheckpointPublisher> p(new CheckpointPublisher(std::move(topic)));
  Result<std::unique_ptr<RdKafka::Conf>> conf =
      BuildConf(client, RelayProducerDefaults(), RelayProducerRequired(), p->events_.get());
  if (!conf.ok()) return conf.status().WithContext("checkpoint producer");
  std::string error;
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(p->callbacks_.get()), error) !=
      RdKafka::Conf::CONF_OK) {
    return Status::Internal("checkpoint producer: dr_cb: " + error);
  }
  p->producer_.reset(RdKafka::Producer::create(conf->get(), error));
  if (p->producer_ == nullptr) return Status::InvalidArgument("checkpoint producer: " + error);
  return p;
}

Status CheckpointPublisher::Publish(std::string_view note) {
  size_t newline = note.find('\n');
  if (newline == 0 || newline == std::string_view::npos) {
    return Status::InvalidArgument("a checkpoint note without an origin line");
  }
  std::string_view origin = note.substr(0, newline);
  RdKafka::ErrorCode err = producer_->produce(
      topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
      const_cast<char*>(note.data()), note.size(), origin.data(), origin.size(), 0, nullptr);
  producer_->poll(0);  // serve earlier delivery reports
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::IoError("checkpoint to " + topic_ + ": " + ErrorText(err));
  }
  return Status::Ok();
}

Status CheckpointPublisher::Flush(std::chrono::milliseconds timeout) {
  RdKafka::ErrorCode err = producer_->flush(static_cast<int>(timeout.count()));
  {
    MutexLock lock(&mu_);
    if (!failure_.empty()) return Status::IoError(failure_);
  }
  if (err != RdKafka::ERR_NO_ERROR) {
    return Status::DeadlineExceeded("checkpoints to " + topic_ + " not acknowledged yet");
  }
  return Status::Ok();
}

}  // namespace rotor::kafka
