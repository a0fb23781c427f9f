#include "projections/event_decoder.h"

#include "events/codec.h"
#include "events/wire.h"

namespace rotor::projections {
namespace {

constexpr uint32_t kVarint = 0;
constexpr uint32_t kLength = 2;
constexpr std::string_view kInventoryType = "rotor.v1.AgentInventoryReported";
constexpr std::string_view kStaleType = "rotor.v1.AgentFlaggedStale";

using wire::GetVarint;
using wire::IsAscii;

// google.protobuf.Timestamp with non-negative fields, converted as the codec does.
bool GetTime(std::string_view in, Time* out) {
  const char* p = in.data();
  const char* end = p + in.size();
  uint64_t seconds = 0, nanos = 0;
  uint32_t seen = 0;
  while (p < end) {
    auto tag = static_cast<uint8_t>(*p++);
    uint32_t field = tag >> 3;
    if ((tag & 7) != kVarint || (field != 1 && field != 2) || (seen >> field & 1) != 0) {
      return false;
    }
    seen |= 1u << field;
    if (!GetVarint(&p, end, field == 1 ? &seconds : &nanos)) return false;
  }
  // The codec's range for google.protobuf.Timestamp (0001-01-01 to 9999-12-31);
  // negative values arrive as 10-byte varints and were declined above.
  if (nanos > 999999999 || seconds > 253402300799) return false;
  *out =
      TimeFromMicros(static_cast<int64_t>(seconds) * 1000000 + static_cast<int64_t>(nanos) / 1000);
  return true;
}

// Walks a message's fields: `on_field(field, wire_type, varint, bytes)`
// returns false to decline. Fails on a repeated singular field (bit set in
// `repeatable` allows repetition), a bad wire type or truncation.
template <typename OnField>
bool Walk(std::string_view in, uint32_t repeatable, OnField&& on_field) {
  const char* p = in.data();
  const char* end = p + in.size();
  uint32_t seen = 0;
  while (p < end) {
    auto tag = static_cast<uint8_t>(*p++);
    uint32_t field = tag >> 3, type = tag & 7;
    if (tag >= 0x80 || field == 0 || ((seen >> field & 1) != 0 && (repeatable >> field & 1) == 0)) {
      return false;
    }
    seen |= 1u << field;
    uint64_t n = 0;
    if (!GetVarint(&p, end, &n)) return false;
    std::string_view bytes;
    if (type == kLength) {
      if (n > static_cast<uint64_t>(end - p)) return false;
      bytes = std::string_view(p, n);
      p += n;
    } else if (type != kVarint) {
      return false;
    }
    if (!on_field(field, type, n, bytes)) return false;
  }
  return true;
}

bool AsciiInto(uint32_t type, std::string_view bytes, std::string* out) {
  if (type != kLength || !IsAscii(bytes)) return false;
  out->assign(bytes);
  return true;
}

}  // namespace

bool ParseInventoryFast(std::string_view payload, AgentInventoryReported* e) {
  e->report_id.clear();
  e->agent_id.clear();
  e->reported_at = Time();
  size_t fingerprints = 0;
  e->gateway_id.clear();
  e->site.clear();
  e->cloud_enabled = false;
  e->supersedes_future_report = false;
  bool ok = Walk(payload, 1u << 4,
                 [&](uint32_t field, uint32_t type, uint64_t n, std::string_view bytes) {
                   switch (field) {
                     case 1:
                       return AsciiInto(type, bytes, &e->report_id);
                     case 2:
                       return AsciiInto(type, bytes, &e->agent_id);
                     case 3:
                       return type == kLength && GetTime(bytes, &e->reported_at);
                     case 4:
                       if (e->certificate_fingerprints.size() <= fingerprints) {
                         e->certificate_fingerprints.emplace_back();
                       }
                       return AsciiInto(type, bytes, &e->certificate_fingerprints[fingerprints++]);
                     case 5:
                       return AsciiInto(type, bytes, &e->gateway_id);
                     case 6:
                       return AsciiInto(type, bytes, &e->site);
                     case 7:
                       e->cloud_enabled = n == 1;
                       return type == kVarint && n <= 1;
                     case 8:
                       e->supersedes_future_report = n == 1;
                       return type == kVarint && n <= 1;
                     default:
                       return false;
                   }
                 });
  e->certificate_fingerprints.resize(fingerprints);
  return ok;
}

bool ParseFlaggedStaleFast(std::string_view payload, AgentFlaggedStale* e) {
  e->agent_id.clear();
  e->last_report_at = Time();
  e->flagged_at = Time();
  e->threshold_seconds = 0;
  return Walk(payload, 0, [&](uint32_t field, uint32_t type, uint64_t n, std::string_view bytes) {
    switch (field) {
      case 1:
        return AsciiInto(type, bytes, &e->agent_id);
      case 2:
        return type == kLength && GetTime(bytes, &e->last_report_at);
      case 3:
        return type == kLength && GetTime(bytes, &e->flagged_at);
      case 4:
        e->threshold_seconds = n;
        return type == kVarint;
      default:
        return false;
    }
  });
}

EventDecoder::EventDecoder() : inventory_(AgentInventoryReported{}), stale_(AgentFlaggedStale{}) {}

Status EventDecoder::DecodeInto(const RecordedEvent& record, Event* out) {
  if (record.event_type == kInventoryType) {
    if (!std::holds_alternative<AgentInventoryReported>(*out)) {
      out->emplace<AgentInventoryReported>();
    }
    if (ParseInventoryFast(record.payload, &std::get<AgentInventoryReported>(*out))) {
      ++fast_;
      return Status::Ok();
    }
  } else if (record.event_type == kStaleType) {
    if (!std::holds_alternative<AgentFlaggedStale>(*out)) out->emplace<AgentFlaggedStale>();
    if (ParseFlaggedStaleFast(record.payload, &std::get<AgentFlaggedStale>(*out))) {
      ++fast_;
      return Status::Ok();
    }
  }
  Result<Event> event = DecodeEvent(record);
  if (!event.ok()) return event.status();
  ++slow_;
  *out = std::move(*event);
  return Status::Ok();
}

Result<const Event*> EventDecoder::Decode(const RecordedEvent& record) {
  Event* slot = record.event_type == kInventoryType ? &inventory_
                : record.event_type == kStaleType   ? &stale_
                                                    : &other_;
  Status s = DecodeInto(record, slot);
  if (!s.ok()) return s;
  return slot;
}

}  // namespace rotor::projections
