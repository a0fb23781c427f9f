// Helpers the event and agent-report codecs share (codec.cc,
// agent_report_codec.cc): google.protobuf.Timestamp to and from Time, the
// range check every Timestamp read from the wire passes before GetTime, and
// the fields an agent report shares with the event it becomes.
// Internal to the events library.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace rotor::codec_internal {

namespace pb = ::google::protobuf;

inline void SetTime(pb::Timestamp* ts, Time t) {
  int64_t us = ToMicros(t);
  int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  ts->set_seconds(secs);
  ts->set_nanos(static_cast<int32_t>((us - secs * 1000000) * 1000));
}

// Only for Timestamps that passed CheckTimestamps (no overflow).
inline Time GetTime(const pb::Timestamp& ts) {
  return TimeFromMicros(ts.seconds() * 1000000 + ts.nanos() / 1000);
}

// google.protobuf.Timestamp's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

// The singular Timestamp fields of messages described by `d`.
inline std::vector<const pb::FieldDescriptor*> TimestampFields(const pb::Descriptor& d) {
  std::vector<const pb::FieldDescriptor*> fields;
  for (int i = 0; i < d.field_count(); ++i) {
    const pb::FieldDescriptor* f = d.field(i);
    if (!f->is_repeated() && f->message_type() == pb::Timestamp::descriptor()) {
      fields.push_back(f);
    }
  }
  return fields;
}

// Checks every Timestamp field of `m` read from the wire, so that GetTime
// cannot overflow. The fields of each message type are looked up once, not
// for every message decoded. Errors: kInvalidArgument naming the field.
template <typename Proto>
Status CheckTimestamps(const Proto& m) {
  static const std::vector<const pb::FieldDescriptor*> kFields =
      TimestampFields(*Proto::descriptor());
  const pb::Reflection* r = m.GetReflection();
  for (const pb::FieldDescriptor* f : kFields) {
    if (!r->HasField(m, f)) continue;
    const auto* ts = pb::DynamicCastToGenerated<pb::Timestamp>(&r->GetMessage(m, f));
    if (ts == nullptr || ts->seconds() < kMinTimestampSeconds ||
        ts->seconds() > kMaxTimestampSeconds || ts->nanos() < 0 || ts->nanos() > 999999999) {
      return Status::InvalidArgument(Proto::descriptor()->name() + "." + f->name() +
                                     ": timestamp out of range");
    }
  }
  return Status::Ok();
}

template <typename Repeated>
std::vector<std::string> ToVector(const Repeated& r) {
  return std::vector<std::string>(r.begin(), r.end());
}

// The fields an agent report and its AgentInventoryReported event share,
// from either plain struct into its protobuf message.
template <typename Report, typename Proto>
void SetReportFields(const Report& r, Proto* m) {
  m->set_report_id(r.report_id);
  m->set_agent_id(r.agent_id);
  SetTime(m->mutable_reported_at(), r.reported_at);
  for (const auto& f : r.certificate_fingerprints) m->add_certificate_fingerprints(f);
  m->set_gateway_id(r.gateway_id);
  m->set_site(r.site);
  m->set_cloud_enabled(r.cloud_enabled);
}

}  // namespace rotor::codec_internal
