// The agent report's codecs: rotor.v1.AgentReport's protobuf bytes and its
// JSON mapping, to and from AgentReport (events/codec.h).
#include <google/protobuf/util/json_util.h>

#include "base/hash.h"
#include "events/agent_report_json.h"
#include "events/codec.h"
#include "events/proto_time.h"
#include "rotor/v1/agent_report.pb.h"

namespace rotor {

namespace pb = ::google::protobuf;
using codec_internal::CheckTimestamps;
using codec_internal::GetTime;
using codec_internal::SetReportFields;
using codec_internal::ToVector;

void ToProto(const AgentReport& r, v1::AgentReport* out) { SetReportFields(r, out); }

Result<AgentReport> FromProto(const v1::AgentReport& r) {
  if (r.report_id().empty()) return Status::InvalidArgument("agent report: report_id is empty");
  if (r.agent_id().empty()) {
    return Status::InvalidArgument("agent report " + r.report_id() + ": agent_id is empty");
  }
  if (!r.has_reported_at()) {
    return Status::InvalidArgument("agent report " + r.report_id() + ": reported_at is missing");
  }
  Status times = CheckTimestamps(r);
  if (!times.ok()) return times.WithContext("agent report " + r.report_id());
  for (int i = 0; i < r.certificate_fingerprints_size(); ++i) {
    if (!IsSha256Hex(r.certificate_fingerprints(i))) {
      return Status::InvalidArgument("agent report " + r.report_id() +
                                     ": certificate_fingerprints[" + std::to_string(i) +
                                     "] is not 64 lower-case hex digits");
    }
  }
  return AgentReport{r.report_id(),
                     r.agent_id(),
                     GetTime(r.reported_at()),
                     ToVector(r.certificate_fingerprints()),
                     r.gateway_id(),
                     r.site(),
                     r.cloud_enabled()};
}

Result<AgentReport> ParseAgentReport(std::string_view bytes) {
  thread_local v1::AgentReport m;  // reused: Clear() keeps its buffers
  m.Clear();
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("bytes do not parse as rotor.v1.AgentReport");
  }
  return FromProto(m);
}

std::optional<Result<AgentReport>> ParsePlainAgentReportJson(std::string_view json) {
  v1::AgentReport m;
  if (!ScanPlainAgentReportJson(json, &m)) return std::nullopt;
  return FromProto(m);
}

Result<AgentReport> ParseAgentReportJson(std::string_view json) {
  // The plain shape is scanned directly (agent_report_json.h); anything else
  // goes through protobuf's parser, which gives the same message or the error.
  if (std::optional<Result<AgentReport>> plain = ParsePlainAgentReportJson(json)) {
    return std::move(*plain);
  }
  v1::AgentReport m;
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status =
      pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), &m, options);
  if (!status.ok()) {
    return Status::InvalidArgument("agent report JSON: " + status.message().ToString());
  }
  return FromProto(m);
}

std::string SerializeAgentReport(const AgentReport& report) {
  v1::AgentReport m;
  ToProto(report, &m);
  return m.SerializeAsString();
}

std::string AgentReportToJson(const AgentReport& report) {
  v1::AgentReport m;
  ToProto(report, &m);
  std::string out;
  pb::util::JsonPrintOptions options;
  (void)pb::util::MessageToJsonString(m, &out, options);
  return out;
}

}  // namespace rotor
