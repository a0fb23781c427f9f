// LocalTransport: a Transport that opens a Rotor data directory in-process
// (rotorctl --data DIR, rotor-sim --data DIR) and hands each request to the
// same app::Api the daemon serves, so every command gives the same answer
// as through a server. The caller acts as an admin Principal named
// "local:<user>" ($USER, else "unknown"): whoever can read and write the
// directory may do anything to it anyway. RocksDB locks the directory, so a
// running rotord on it makes Open fail.
//
// Ownership: owns the Engine (its event log, projections, clock).
// Thread safety: Send may be called from several threads (Api::Handle is
// thread-safe); Watch blocks its caller.
#pragma once

#include <memory>
#include <string>

#include "services/client/transport.h"

namespace rotor::app {
class Engine;
}

namespace rotor::client {

struct LocalOptions {
  std::string data_dir;
  // The principal's name after "local:"; empty takes $USER.
  std::string user;
};

class LocalTransport final : public Transport {
 public:
  // Opens the directory (creating it when missing). Errors: kInvalidArgument
  // for an empty path; kIoError when the directory is locked by a running
  // rotord or cannot be opened; kCorruption when its log is damaged.
  static Result<std::unique_ptr<LocalTransport>> Open(const LocalOptions& options);
  ~LocalTransport() override;

  Result<app::ApiResponse> Send(const app::ApiRequest& request) override;
  Status Watch(const std::function<bool(const std::string& progress_json)>& on_progress) override;
  std::string Describe() const override { return "data directory " + data_dir_; }

  const app::Principal& principal() const { return principal_; }

 private:
  LocalTransport(std::unique_ptr<app::Engine> engine, app::Principal principal,
                 std::string data_dir);

  std::unique_ptr<app::Engine> engine_;
  app::Principal principal_;
  std::string data_dir_;
};

}  // namespace rotor::client
