// Event export. See export.h.
#include "services/rotorctl/export.h"

#include "base/base64.h"
#include "base/coding.h"
#include "base/hash.h"
#include "events/payload_json.h"
#include "events/record.h"
#include "services/rotorctl/format.h"

namespace rotor::ctl {
namespace {

Result<Sha256Digest> DigestFromHex(const std::string& hex, const std::string& what) {
  Sha256Digest d{};
  if (!Sha256FromHex(hex, &d)) {
    return Status::InvalidArgument(what + " is not 64 lower-case hex digits");
  }
  return d;
}

// The payload bytes of `event`: "payload_base64" when the server sends it;
// otherwise its decoded JSON turned back into the message `event_type`, or
// the raw bytes the server could not decode.
Result<std::string> PayloadBytes(const json& event, const std::string& type) {
  if (event.contains("payload_base64")) {
    return Base64Decode(Str(event, "payload_base64"), "payload_base64");
  }
  const json& payload = event.contains("payload") ? event["payload"] : json();
  if (payload.is_object() && payload.contains("undecodable_base64")) {
    return Base64Decode(Str(payload, "undecodable_base64"), "undecodable_base64");
  }
  return PayloadFromJson(type, payload.dump());
}

// Rebuilds the stored record from its JSON and checks that it reproduces
// the record's hash, so the export carries exactly the bytes that were hashed.
Result<RecordedEvent> ToRecord(const json& e) {
  RecordedEvent r;
  r.sequence = static_cast<uint64_t>(Num(e, "sequence"));
  std::string where = "event " + std::to_string(r.sequence);
  r.stream_id = Str(e, "stream_id");
  r.stream_version = static_cast<uint64_t>(Num(e, "stream_version"));
  r.event_type = Str(e, "event_type");
  Result<Time> at = ParseTime(Str(e, "recorded_at"));
  if (!at.ok()) return at.status().WithContext(where);
  r.recorded_at = *at;
  r.actor = Str(e, "actor");
  r.correlation_id = Str(e, "correlation_id");
  r.causation_id = Str(e, "causation_id");
  r.idempotency_key = Str(e, "idempotency_key");
  Result<Sha256Digest> prev = DigestFromHex(Str(e, "prev_hash"), "prev_hash");
  if (!prev.ok()) return prev.status().WithContext(where);
  r.prev_hash = *prev;
  Result<Sha256Digest> hash = DigestFromHex(Str(e, "hash"), "hash");
  if (!hash.ok()) return hash.status().WithContext(where);
  r.hash = *hash;
  Result<std::string> payload = PayloadBytes(e, r.event_type);
  if (!payload.ok()) return payload.status().WithContext(where);
  r.payload = std::move(*payload);
  if (Sha256(std::string_view(reinterpret_cast<const char*>(r.prev_hash.data()), kHashSize),
             EncodeCanonical(r)) != r.hash) {
    return Status::Corruption(where +
                              ": its fields do not reproduce its hash; run rotorctl verify");
  }
  return r;
}

void WriteDelimited(std::ostream& out, const std::string& bytes) {
  char varint[10];
  const char* end = EncodeVarint64(varint, bytes.size());
  out.write(varint, end - varint);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

Result<uint64_t> ExportEvents(Session& s, const ExportOptions& o, std::ostream& out) {
  constexpr uint64_t kPage = 1000;
  uint64_t next = o.from;
  uint64_t written = 0;
  const bool protobuf = o.format == "protobuf";
  while (o.to == 0 || next <= o.to) {
    uint64_t limit = o.to == 0 ? kPage : std::min(kPage, o.to - next + 1);
    std::optional<json> page =
        s.Request("GET", "/v1/events", nullptr,
                  {{"from", std::to_string(next)}, {"limit", std::to_string(limit)}});
    if (!page) return Status::IoError("export stopped");
    const json& events = Array(*page, {"events"});
    if (events.empty()) break;
    for (const json& e : events) {
      if (protobuf) {
        Result<RecordedEvent> record = ToRecord(e);
        if (!record.ok()) return record.status();
        WriteDelimited(out, EncodeEnvelope(*record));
      } else {
        out << e.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
      }
      ++written;
    }
    auto last = static_cast<uint64_t>(Num(events.back(), "sequence"));
    if (last < next) return Status::Internal("the server returned events out of order");
    next = last + 1;
  }
  return written;
}

}  // namespace rotor::ctl
