#include "services/kafka/checkpoint_publisher.h"

#include <spdlog/spdlog.h>

#include <cstdint>

#include "base/hash.h"
#include "services/kafka/event_relay.h"

namespace rotor::kafka {

class CheckpointPublisher::Callbacks : public RdKafka::DeliveryReportCb {
 public:
  explicit Callbacks(CheckpointPublisher* owner) : owner_(owner) {}
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      owner_->delivered_.fetch_add(1, std::memory_order_acq_rel);
      owner_->Delivered(
          reinterpret_cast<uintptr_t>(message.msg_opaque()),
          std::string_view(static_cast<const char*>(message.payload()), message.len()));
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

namespace {
constexpr char kPublishedMagic[] = "rotor-checkpoints-published";
}  // namespace

CheckpointPublisher::CheckpointPublisher(std::string topic, std::string published_path)
    : topic_(std::move(topic)),
      events_(std::make_unique<KafkaEvents>("checkpoint producer")),
      callbacks_(std::make_unique<Callbacks>(this)) {
  if (!published_path.empty()) {
    published_file_.emplace(std::move(published_path), nullptr, kPublishedMagic);
  }
}

CheckpointPublisher::~CheckpointPublisher() {
  if (producer_ != nullptr) producer_->flush(5000);
}

Result<std::unique_ptr<CheckpointPublisher>> CheckpointPublisher::Create(
    const ClientSettings& client, std::string topic, std::string published_path) {
  if (topic.empty()) return Status::InvalidArgument("checkpoint producer: empty topic name");
  std::unique_ptr<CheckpointPublisher> p(
      new CheckpointPublisher(std::move(topic), std::move(published_path)));
  if (p->published_file_.has_value()) {
    Result<RelayPosition> published = p->published_file_->Load();
    if (!published.ok()) return published.status().WithContext("checkpoint producer");
    p->published_size_.store(published->sequence);
  }
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

void CheckpointPublisher::Delivered(uint64_t tree_size, std::string_view note) {
  MutexLock lock(&mu_);  // two threads polling must not write the file at once
  if (tree_size <= published_size() || !published_file_.has_value()) return;
  Status stored = published_file_->Store({tree_size, Sha256(note)});
  if (!stored.ok()) {
    // The checkpoint is on the topic; a later start publishes it once more.
    spdlog::error("kafka: {}", stored.ToString());
    return;
  }
  published_size_.store(tree_size, std::memory_order_release);
}

Status CheckpointPublisher::Publish(uint64_t tree_size, std::string_view note) {
  size_t newline = note.find('\n');
  if (newline == 0 || newline == std::string_view::npos) {
    return Status::InvalidArgument("a checkpoint note without an origin line");
  }
  std::string_view origin = note.substr(0, newline);
  // The message's opaque carries the tree size to the delivery report.
  void* opaque = reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
      static_cast<uintptr_t>(tree_size));
  RdKafka::ErrorCode err = producer_->produce(
      topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
      const_cast<char*>(note.data()), note.size(), origin.data(), origin.size(), 0, opaque);
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
