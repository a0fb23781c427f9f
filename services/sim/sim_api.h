// SimApi: the simulator's view of the Rotor API — JSON in, JSON out, over any
// client::Transport (HTTP to rotord, or a data directory in-process). A
// non-2xx answer becomes an error Status carrying the server's code and
// message. Ownership: borrows the transport. Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/time.h"
#include "services/client/transport.h"

namespace rotor::sim {

using nlohmann::json;

struct BatchResult {
  uint64_t ingested = 0;
  uint64_t duplicates = 0;
  std::vector<std::string> rejected;  // "report_id: reason"
};

class SimApi {
 public:
  explicit SimApi(client::Transport& transport) : transport_(transport) {}

  // Sends a request. Returns the reply's JSON ({} for an empty body).
  // Errors: the server's error (code and message) for a non-2xx answer;
  // kIoError when the transport failed or the reply is not JSON.
  Result<json> Call(const std::string& method, const std::string& path, const json& body = nullptr,
                    const std::map<std::string, std::string>& query = {});
  Result<json> Get(const std::string& path, const std::map<std::string, std::string>& query = {}) {
    return Call("GET", path, nullptr, query);
  }
  Result<json> Post(const std::string& path, const json& body) { return Call("POST", path, body); }

  // Moves the server's virtual clock (POST /v1/clock).
  Status SetClock(Time now);
  // Posts reports in batches of at most 1000 (POST /v1/reports:batch).
  Result<BatchResult> PostReports(const std::vector<json>& reports);

  client::Transport& transport() { return transport_; }

 private:
  client::Transport& transport_;
};

// Accessors that tolerate a missing field (0 or "").
int64_t JsonNum(const json& object, const char* key);
std::string JsonStr(const json& object, const char* key);

}  // namespace rotor::sim
