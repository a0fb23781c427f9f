#include "services/kafka/bridge_options.h"

#include <charconv>
#include <fstream>

namespace rotor::kafka {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Status ParseCount(std::string_view key, std::string_view value, size_t* out) {
  size_t parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size() || parsed == 0) {
    return Status::InvalidArgument(std::string(key) + ": '" + std::string(value) +
                                   "' is not a positive number");
  }
  *out = parsed;
  return Status::Ok();
}

Status ParseBool(std::string_view key, std::string_view value, bool* out) {
  if (value == "true" || value == "1" || value == "yes") {
    *out = true;
  } else if (value == "false" || value == "0" || value == "no") {
    *out = false;
  } else {
    return Status::InvalidArgument(std::string(key) + ": '" + std::string(value) +
                                   "' is not true or false");
  }
  return Status::Ok();
}

}  // namespace

std::string BridgeOptions::CheckpointPath() const {
  if (!checkpoint_path.empty()) return checkpoint_path;
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".relay-checkpoint";
}

EventRelayOptions BridgeOptions::RelayOptions() const {
  EventRelayOptions o;
  o.client = client;
  o.topic = events_topic;
  o.checkpoint_path = CheckpointPath();
  return o;
}

ReportConsumerOptions BridgeOptions::ConsumerOptions() const {
  ReportConsumerOptions o;
  o.client = client;
  o.topic = reports_topic;
  o.dlq_topic = dlq_topic;
  o.group = group;
  o.batch_max = batch_max;
  o.batch_wait = batch_wait;
  return o;
}

Status ApplySetting(std::string_view key, std::string_view value, BridgeOptions* o) {
  constexpr std::string_view kPassThrough = "librdkafka.";
  if (key.starts_with(kPassThrough) && key.size() > kPassThrough.size()) {
    o->client.properties.emplace_back(std::string(key.substr(kPassThrough.size())),
                                      std::string(value));
    return Status::Ok();
  }
  std::string v(value);
  if (key == "data.dir") {
    o->data_dir = v;
  } else if (key == "brokers") {
    o->client.brokers = v;
  } else if (key == "client.id") {
    o->client.client_id = v;
  } else if (key == "relay") {
    return ParseBool(key, value, &o->relay);
  } else if (key == "consume") {
    return ParseBool(key, value, &o->consume);
  } else if (key == "events.topic") {
    o->events_topic = v;
  } else if (key == "reports.topic") {
    o->reports_topic = v;
  } else if (key == "dlq.topic") {
    o->dlq_topic = v;
  } else if (key == "checkpoints.topic") {
    o->checkpoints_topic = v;
  } else if (key == "group") {
    o->group = v;
  } else if (key == "relay.checkpoint") {
    o->checkpoint_path = v;
  } else if (key == "consumer.batch.max") {
    return ParseCount(key, value, &o->batch_max);
  } else if (key == "consumer.batch.wait.ms") {
    size_t ms = 0;
    ROTOR_RETURN_IF_ERROR(ParseCount(key, value, &ms));
    o->batch_wait = std::chrono::milliseconds(ms);
  } else if (key == "consumer.max.clock.skew.s") {
    size_t seconds = 0;
    ROTOR_RETURN_IF_ERROR(ParseCount(key, value, &seconds));
    o->max_clock_skew = std::chrono::seconds(seconds);
  } else {
    return Status::InvalidArgument("unknown setting '" + std::string(key) + "'");
  }
  return Status::Ok();
}

Status ApplyConfigFile(const std::string& path, BridgeOptions* options) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read config file " + path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string_view text = Trim(std::string_view{line}.substr(0, line.find('#')));
    if (text.empty()) continue;
    size_t eq = text.find('=');
    Status applied =
        eq == std::string_view::npos || Trim(text.substr(0, eq)).empty()
            ? Status::InvalidArgument("expected 'key = value'")
            : ApplySetting(Trim(text.substr(0, eq)), Trim(text.substr(eq + 1)), options);
    if (!applied.ok()) {
      return Status::InvalidArgument(path + ":" + std::to_string(number) + ": " +
                                     applied.message());
    }
  }
  return Status::Ok();
}

Status ValidateBridgeOptions(const BridgeOptions& o) {
  if (o.data_dir.empty()) return Status::InvalidArgument("no data directory (--data-dir)");
  if (o.client.brokers.empty()) {
    bool given = false;
    for (const auto& [key, value] : o.client.properties) {
      given = given || key == "bootstrap.servers" || key == "metadata.broker.list";
    }
    if (!given) return Status::InvalidArgument("no brokers (--brokers)");
  }
  if (!o.relay && !o.consume) {
    return Status::InvalidArgument("nothing to do: both the relay and the consumer are off");
  }
  return Status::Ok();
}

}  // namespace rotor::kafka
