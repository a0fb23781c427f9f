#include "services/kafka/client_config.h"

namespace rotor::kafka {

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    std::shared_ptr<spdlog::logger> existing = spdlog::get("kafka");
    if (existing != nullptr) return existing;
    std::shared_ptr<spdlog::logger> made = spdlog::default_logger()->clone("kafka");
    spdlog::register_logger(made);
    return made;
  }();
  return *logger;
}

Result<std::pair<std::string, std::string>> ParseProperty(std::string_view assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("librdkafka property '" + std::string(assignment) +
                                   "': expected key=value");
  }
  return std::pair<std::string, std::string>(std::string(assignment.substr(0, eq)),
                                             std::string(assignment.substr(eq + 1)));
}

void KafkaEvents::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_ERROR:
      errors_.fetch_add(1, std::memory_order_relaxed);
      if (event.fatal()) {
        fatal_.store(true, std::memory_order_release);
        Logger().error("{}: fatal librdkafka error: {}: {}", client_, RdKafka::err2str(event.err()),
                       event.str());
      } else {
        // Transport errors are expected while a broker restarts; librdkafka
        // reconnects by itself.
        Logger().warn("{}: {}: {}", client_, RdKafka::err2str(event.err()), event.str());
      }
      break;
    case RdKafka::Event::EVENT_LOG: {
      // Errors worth acting on also arrive as EVENT_ERROR; the log line is context.
      int severity = event.severity();
      spdlog::level::level_enum level =
          severity <= RdKafka::Event::EVENT_SEVERITY_WARNING ? spdlog::level::warn
          : severity <= RdKafka::Event::EVENT_SEVERITY_INFO  ? spdlog::level::info
                                                             : spdlog::level::debug;
      Logger().log(level, "{}: librdkafka {}: {}", client_, event.fac(), event.str());
      break;
    }
    default:
      break;
  }
}

Status SetProperty(RdKafka::Conf& conf, const std::string& key, const std::string& value) {
  std::string error;
  if (conf.set(key, value, error) != RdKafka::Conf::CONF_OK) {
    return Status::InvalidArgument("librdkafka property " + key + ": " + error);
  }
  return Status::Ok();
}

Result<std::unique_ptr<RdKafka::Conf>> BuildConf(const ClientSettings& settings,
                                                 const Properties& defaults,
                                                 const Properties& required, KafkaEvents* events) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  if (!settings.brokers.empty()) {
    ROTOR_RETURN_IF_ERROR(SetProperty(*conf, "bootstrap.servers", settings.brokers));
  }
  if (!settings.client_id.empty()) {
    ROTOR_RETURN_IF_ERROR(SetProperty(*conf, "client.id", settings.client_id));
  }
  for (const auto& [key, value] : defaults) ROTOR_RETURN_IF_ERROR(SetProperty(*conf, key, value));
  for (const auto& [key, value] : settings.properties) {
    ROTOR_RETURN_IF_ERROR(SetProperty(*conf, key, value));
  }
  for (const auto& [key, value] : required) {
    for (const auto& [user_key, user_value] : settings.properties) {
      if (user_key == key && user_value != value) {
        Logger().warn("librdkafka property {}={} is ignored: Rotor requires {}={}", key, user_value,
                      key, value);
      }
    }
    ROTOR_RETURN_IF_ERROR(SetProperty(*conf, key, value));
  }
  if (events != nullptr) {
    std::string error;
    if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(events), error) !=
        RdKafka::Conf::CONF_OK) {
      return Status::Internal("librdkafka event_cb: " + error);
    }
  }
  return conf;
}

std::string ErrorText(RdKafka::ErrorCode code) {
  return RdKafka::err2str(code) + " (" + std::to_string(static_cast<int>(code)) + ")";
}

}  // namespace rotor::kafka
