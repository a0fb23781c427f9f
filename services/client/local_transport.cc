// In-process transport over the Engine. See local_transport.h.
#include "services/client/local_transport.h"

#include <cstdlib>

#include "services/app/engine.h"

namespace rotor::client {
namespace {

Time SystemNow() { return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now()); }

std::string UserName(const std::string& given) {
  if (!given.empty()) return given;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

}  // namespace

LocalTransport::LocalTransport(std::unique_ptr<app::Engine> engine, app::Principal principal,
                               std::string data_dir)
    : engine_(std::move(engine)),
      principal_(std::move(principal)),
      data_dir_(std::move(data_dir)) {}

LocalTransport::~LocalTransport() {
  if (engine_ != nullptr) engine_->Close();
}

Result<std::unique_ptr<LocalTransport>> LocalTransport::Open(const LocalOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("the data directory is empty");
  app::EngineOptions engine_options;
  engine_options.data_dir = options.data_dir;
  // A clock that starts at the later of now and the log's latest event, so
  // commands on a directory a simulation wrote never go back in time, and
  // that POST /v1/clock can move forward.
  engine_options.virtual_clock = std::make_shared<app::VirtualClock>(SystemNow());
  Result<std::unique_ptr<app::Engine>> engine = app::Engine::Open(std::move(engine_options));
  if (!engine.ok()) {
    Status s = engine.status();
    if (s.code() == StatusCode::kIoError) {
      return Status::IoError("cannot open data directory " + options.data_dir +
                             " (is rotord running on it?): " + s.message());
    }
    return s.WithContext("data directory " + options.data_dir);
  }
  app::Principal principal{"local:" + UserName(options.user), app::Role::kAdmin, ""};
  return std::unique_ptr<LocalTransport>(
      new LocalTransport(std::move(engine).value(), std::move(principal), options.data_dir));
}

Result<app::ApiResponse> LocalTransport::Send(const app::ApiRequest& request) {
  app::ApiRequest with_principal = request;
  with_principal.principal = principal_;
  return engine_->Handle(with_principal);
}

Status LocalTransport::Watch(
    const std::function<bool(const std::string& progress_json)>& on_progress) {
  return engine_->Watch(principal_, on_progress);
}

}  // namespace rotor::client
