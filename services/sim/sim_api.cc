// JSON requests for the simulator. See sim_api.h.
#include "services/sim/sim_api.h"

#include <algorithm>

namespace rotor::sim {

int64_t JsonNum(const json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<int64_t>() : 0;
}

std::string JsonStr(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<json> SimApi::Call(const std::string& method, const std::string& path, const json& body,
                          const std::map<std::string, std::string>& query) {
  Result<app::ApiResponse> r =
      client::Call(transport_, method, path, body.is_null() ? std::string() : body.dump(), query);
  if (!r.ok()) return r.status();
  if (!client::IsSuccess(*r)) {
    Status s = client::ResponseStatus(*r);
    return s.WithContext(method + " " + path);
  }
  if (r->body.empty()) return json::object();
  json reply = json::parse(r->body, nullptr, false);
  if (reply.is_discarded()) return Status::IoError(method + " " + path + ": reply is not JSON");
  return reply;
}

Status SimApi::SetClock(Time now) { return Post("/v1/clock", {{"now", FormatTime(now)}}).status(); }

Result<BatchResult> SimApi::PostReports(const std::vector<json>& reports) {
  BatchResult total;
  constexpr size_t kBatch = 1000;
  for (size_t i = 0; i < reports.size(); i += kBatch) {
    json body = {{"reports", json::array()}};
    for (size_t j = i; j < std::min(reports.size(), i + kBatch); ++j) {
      body["reports"].push_back(reports[j]);
    }
    Result<json> reply = Post("/v1/reports:batch", body);
    if (!reply.ok()) return reply.status();
    total.ingested += JsonNum(*reply, "ingested");
    total.duplicates += JsonNum(*reply, "duplicates");
    if (reply->contains("rejected") && (*reply)["rejected"].is_array()) {
      for (const json& r : (*reply)["rejected"]) {
        total.rejected.push_back(JsonStr(r, "report_id") + ": " + JsonStr(r, "reason"));
      }
    }
  }
  return total;
}

}  // namespace rotor::sim
