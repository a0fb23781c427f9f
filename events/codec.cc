#include "events/codec.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "events/proto_time.h"
#include "rotor/v1/events.pb.h"

namespace rotor {
namespace {

using codec_internal::CheckTimestamps;
using codec_internal::GetTime;
using codec_internal::SetReportFields;
using codec_internal::SetTime;
using codec_internal::ToVector;

// Checks that an enum read from the wire is one this build knows.
template <typename E>
Result<E> CheckEnum(int value, int max, std::string_view field) {
  if (value < 0 || value > max) {
    return Status::InvalidArgument(std::string(field) + ": unknown value " + std::to_string(value));
  }
  return static_cast<E>(value);
}

// Encoders: one overload per event.
void Fill(const CertificateRegistered& e, v1::CertificateRegistered* m) {
  m->set_fingerprint(e.fingerprint);
  m->set_kind(static_cast<v1::CertificateKind>(e.kind));
  m->set_subject(e.subject);
  m->set_issuer(e.issuer);
  m->set_serial_hex(e.serial_hex);
  SetTime(m->mutable_not_before(), e.not_before);
  SetTime(m->mutable_not_after(), e.not_after);
  m->set_key_algorithm(e.key_algorithm);
  m->set_der(e.der);
  m->set_agent_id(e.agent_id);
}
void Fill(const ReplacementInitiated& e, v1::ReplacementInitiated* m) {
  m->set_rollout_id(e.rollout_id);
  m->set_old_fingerprint(e.old_fingerprint);
  m->set_new_fingerprint(e.new_fingerprint);
  m->set_kind(static_cast<v1::CertificateKind>(e.kind));
  m->set_mode(static_cast<v1::ReplacementMode>(e.mode));
  m->set_required_staged_permille(e.required_staged_permille);
}
void Fill(const CertificateStaged& e, v1::CertificateStaged* m) {
  m->set_rollout_id(e.rollout_id);
  m->set_fingerprint(e.fingerprint);
  m->set_communication_profile(e.communication_profile);
}
void Fill(const BindingsSwitched& e, v1::BindingsSwitched* m) {
  m->set_rollout_id(e.rollout_id);
  m->set_staged_agents(e.staged_agents);
  m->set_counted_agents(e.counted_agents);
}
void Fill(const ReplacementCancelled& e, v1::ReplacementCancelled* m) {
  m->set_rollout_id(e.rollout_id);
  m->set_reason(e.reason);
}
void Fill(const ReplacementFinalized& e, v1::ReplacementFinalized* m) {
  m->set_rollout_id(e.rollout_id);
  m->set_received(e.received);
  m->set_total(e.total);
  m->set_forced(e.forced);
  m->set_reason(e.reason);
  for (const auto& a : e.outstanding_agent_ids) m->add_outstanding_agent_ids(a);
  m->set_stale_outstanding(e.stale_outstanding);
}
void Fill(const RenewalInitiated& e, v1::RenewalInitiated* m) {
  m->set_rollout_id(e.rollout_id);
  m->set_target(static_cast<v1::RenewalTarget>(e.target));
  m->set_fingerprint(e.fingerprint);
  for (const auto& a : e.agent_ids) m->add_agent_ids(a);
  m->set_gateway_id(e.gateway_id);
}
void Fill(const AgentCertificateRenewed& e, v1::AgentCertificateRenewed* m) {
  m->set_rollout_id(e.rollout_id);
  m->set_agent_id(e.agent_id);
  m->set_old_fingerprint(e.old_fingerprint);
  m->set_new_fingerprint(e.new_fingerprint);
  m->set_serial_hex(e.serial_hex);
  SetTime(m->mutable_not_after(), e.not_after);
  m->set_issued_by_rotor(e.issued_by_rotor);
  m->set_der(e.der);
}
void Fill(const CertificateRevoked& e, v1::CertificateRevoked* m) {
  m->set_agent_id(e.agent_id);
  m->set_fingerprint(e.fingerprint);
  m->set_reason_code(e.reason_code);
  m->set_serial_hex(e.serial_hex);
  SetTime(m->mutable_revoked_at(), e.revoked_at);
}
void Fill(const GatewayAutoRefreshChanged& e, v1::GatewayAutoRefreshChanged* m) {
  m->set_gateway_id(e.gateway_id);
  m->set_auto_refresh(e.auto_refresh);
}
void Fill(const GatewayRefreshRequired& e, v1::GatewayRefreshRequired* m) {
  m->set_gateway_id(e.gateway_id);
  m->set_rollout_id(e.rollout_id);
  m->set_step(static_cast<v1::GatewayRefreshStep>(e.step));
}
void Fill(const GatewayRefreshPerformed& e, v1::GatewayRefreshPerformed* m) {
  m->set_gateway_id(e.gateway_id);
  m->set_rollout_id(e.rollout_id);
  m->set_step(static_cast<v1::GatewayRefreshStep>(e.step));
  SetTime(m->mutable_performed_at(), e.performed_at);
  m->set_performed_by(e.performed_by);
}
void Fill(const AgentInventoryReported& e, v1::AgentInventoryReported* m) {
  SetReportFields(e, m);
  m->set_supersedes_future_report(e.supersedes_future_report);
}
void Fill(const AgentReportRejected& e, v1::AgentReportRejected* m) {
  m->set_report_id(e.report_id);
  m->set_agent_id(e.agent_id);
  SetTime(m->mutable_reported_at(), e.reported_at);
  m->set_reason(e.reason);
}
void Fill(const AgentFlaggedStale& e, v1::AgentFlaggedStale* m) {
  m->set_agent_id(e.agent_id);
  SetTime(m->mutable_last_report_at(), e.last_report_at);
  SetTime(m->mutable_flagged_at(), e.flagged_at);
  m->set_threshold_seconds(e.threshold_seconds);
}
void Fill(const AgentStaleCleared& e, v1::AgentStaleCleared* m) {
  m->set_agent_id(e.agent_id);
  m->set_report_id(e.report_id);
  SetTime(m->mutable_reported_at(), e.reported_at);
}
void Fill(const AgentResourceDeleted& e, v1::AgentResourceDeleted* m) {
  m->set_agent_id(e.agent_id);
  m->set_reason(e.reason);
}
void Fill(const CommandRefused& e, v1::CommandRefused* m) {
  m->set_command(e.command);
  m->set_rollout_id(e.rollout_id);
  m->set_agent_id(e.agent_id);
  m->set_reason(e.reason);
}

// Decoders: one overload per event.
Result<Event> Read(const v1::CertificateRegistered& m) {
  auto kind = CheckEnum<CertificateKind>(m.kind(), 4, "CertificateRegistered.kind");
  if (!kind.ok()) return kind.status();
  CertificateInfo info;
  info.fingerprint = m.fingerprint();
  info.subject = m.subject();
  info.issuer = m.issuer();
  info.serial_hex = m.serial_hex();
  info.not_before = GetTime(m.not_before());
  info.not_after = GetTime(m.not_after());
  info.key_algorithm = m.key_algorithm();
  info.der = m.der();
  return Event(CertificateRegistered{std::move(info), *kind, m.agent_id()});
}
Result<Event> Read(const v1::ReplacementInitiated& m) {
  auto kind = CheckEnum<CertificateKind>(m.kind(), 4, "ReplacementInitiated.kind");
  if (!kind.ok()) return kind.status();
  auto mode = CheckEnum<ReplacementMode>(m.mode(), 2, "ReplacementInitiated.mode");
  if (!mode.ok()) return mode.status();
  return Event(ReplacementInitiated{m.rollout_id(), m.old_fingerprint(), m.new_fingerprint(), *kind,
                                    *mode, m.required_staged_permille()});
}
Result<Event> Read(const v1::CertificateStaged& m) {
  return Event(CertificateStaged{m.rollout_id(), m.fingerprint(), m.communication_profile()});
}
Result<Event> Read(const v1::BindingsSwitched& m) {
  return Event(BindingsSwitched{m.rollout_id(), m.staged_agents(), m.counted_agents()});
}
Result<Event> Read(const v1::ReplacementCancelled& m) {
  return Event(ReplacementCancelled{m.rollout_id(), m.reason()});
}
Result<Event> Read(const v1::ReplacementFinalized& m) {
  return Event(ReplacementFinalized{m.rollout_id(), m.received(), m.total(), m.forced(), m.reason(),
                                    ToVector(m.outstanding_agent_ids()), m.stale_outstanding()});
}
Result<Event> Read(const v1::RenewalInitiated& m) {
  auto target = CheckEnum<RenewalTarget>(m.target(), 2, "RenewalInitiated.target");
  if (!target.ok()) return target.status();
  return Event(RenewalInitiated{m.rollout_id(), *target, m.fingerprint(), ToVector(m.agent_ids()),
                                m.gateway_id()});
}
Result<Event> Read(const v1::AgentCertificateRenewed& m) {
  return Event(AgentCertificateRenewed{m.rollout_id(), m.agent_id(), m.old_fingerprint(),
                                       m.new_fingerprint(), m.serial_hex(), GetTime(m.not_after()),
                                       m.issued_by_rotor(), m.der()});
}
Result<Event> Read(const v1::CertificateRevoked& m) {
  return Event(CertificateRevoked{m.agent_id(), m.fingerprint(), m.reason_code(), m.serial_hex(),
                                  GetTime(m.revoked_at())});
}
Result<Event> Read(const v1::GatewayAutoRefreshChanged& m) {
  return Event(GatewayAutoRefreshChanged{m.gateway_id(), m.auto_refresh()});
}
Result<Event> Read(const v1::GatewayRefreshRequired& m) {
  auto step = CheckEnum<GatewayRefreshStep>(m.step(), 2, "GatewayRefreshRequired.step");
  if (!step.ok()) return step.status();
  return Event(GatewayRefreshRequired{m.gateway_id(), m.rollout_id(), *step});
}
Result<Event> Read(const v1::GatewayRefreshPerformed& m) {
  auto step = CheckEnum<GatewayRefreshStep>(m.step(), 2, "GatewayRefreshPerformed.step");
  if (!step.ok()) return step.status();
  return Event(GatewayRefreshPerformed{m.gateway_id(), m.rollout_id(), *step,
                                       GetTime(m.performed_at()), m.performed_by()});
}
Result<Event> Read(const v1::AgentInventoryReported& m) {
  return Event(AgentInventoryReported{m.report_id(), m.agent_id(), GetTime(m.reported_at()),
                                      ToVector(m.certificate_fingerprints()), m.gateway_id(),
                                      m.site(), m.cloud_enabled(), m.supersedes_future_report()});
}
Result<Event> Read(const v1::AgentReportRejected& m) {
  return Event(
      AgentReportRejected{m.report_id(), m.agent_id(), GetTime(m.reported_at()), m.reason()});
}
Result<Event> Read(const v1::AgentFlaggedStale& m) {
  return Event(AgentFlaggedStale{m.agent_id(), GetTime(m.last_report_at()), GetTime(m.flagged_at()),
                                 m.threshold_seconds()});
}
Result<Event> Read(const v1::AgentStaleCleared& m) {
  return Event(AgentStaleCleared{m.agent_id(), m.report_id(), GetTime(m.reported_at())});
}
Result<Event> Read(const v1::AgentResourceDeleted& m) {
  return Event(AgentResourceDeleted{m.agent_id(), m.reason()});
}
Result<Event> Read(const v1::CommandRefused& m) {
  return Event(CommandRefused{m.command(), m.rollout_id(), m.agent_id(), m.reason()});
}

// Maps each plain event type to its protobuf message type.
template <typename T>
struct ProtoOf;
#define ROTOR_PROTO_OF(Name) \
  template <>                \
  struct ProtoOf<Name> {     \
    using type = v1::Name;   \
  };
ROTOR_PROTO_OF(CertificateRegistered)
ROTOR_PROTO_OF(ReplacementInitiated)
ROTOR_PROTO_OF(CertificateStaged)
ROTOR_PROTO_OF(BindingsSwitched)
ROTOR_PROTO_OF(ReplacementCancelled)
ROTOR_PROTO_OF(ReplacementFinalized)
ROTOR_PROTO_OF(RenewalInitiated)
ROTOR_PROTO_OF(AgentCertificateRenewed)
ROTOR_PROTO_OF(CertificateRevoked)
ROTOR_PROTO_OF(GatewayAutoRefreshChanged)
ROTOR_PROTO_OF(GatewayRefreshRequired)
ROTOR_PROTO_OF(GatewayRefreshPerformed)
ROTOR_PROTO_OF(AgentInventoryReported)
ROTOR_PROTO_OF(AgentReportRejected)
ROTOR_PROTO_OF(AgentFlaggedStale)
ROTOR_PROTO_OF(AgentStaleCleared)
ROTOR_PROTO_OF(AgentResourceDeleted)
ROTOR_PROTO_OF(CommandRefused)
#undef ROTOR_PROTO_OF

template <size_t I>
Result<Event> DecodeAt(size_t index, std::string_view payload) {
  if constexpr (I == std::variant_size_v<Event>) {
    return Status::Internal("event index out of range");
  } else {
    if (index != I) return DecodeAt<I + 1>(index, payload);
    using Proto = typename ProtoOf<std::variant_alternative_t<I, Event>>::type;
    Proto m;
    if (!m.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Status::InvalidArgument("payload does not parse as " +
                                     Proto::descriptor()->full_name());
    }
    ROTOR_RETURN_IF_ERROR(CheckTimestamps(m));
    return Read(m);
  }
}

}  // namespace

std::string EncodePayload(const Event& event) {
  return std::visit(
      [](const auto& e) {
        typename ProtoOf<std::decay_t<decltype(e)>>::type m;
        Fill(e, &m);
        return m.SerializeAsString();
      },
      event);
}

Result<Event> DecodePayload(std::string_view event_type, std::string_view payload) {
  int index = EventIndexFromTypeName(event_type);
  if (index < 0) {
    return Status::InvalidArgument("unknown event type '" + std::string(event_type) + "'");
  }
  return DecodeAt<0>(static_cast<size_t>(index), payload);
}

Result<Event> DecodeEvent(const RecordedEvent& record) {
  Result<Event> e = DecodePayload(record.event_type, record.payload);
  if (!e.ok()) return e.status().WithContext("sequence " + std::to_string(record.sequence));
  return e;
}

NewEvent MakeNewEvent(const Event& event, Time recorded_at, std::string actor,
                      std::string correlation_id, std::string causation_id) {
  return NewEvent{
      std::string(EventTypeName(event)), EncodePayload(event),   recorded_at, std::move(actor),
      std::move(correlation_id),         std::move(causation_id)};
}

}  // namespace rotor
