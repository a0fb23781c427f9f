// The codec: every event type round-trips through its protobuf payload,
// type names map both ways, and bad payloads (unknown type, unknown enum
// value, bytes that do not parse, truncated or flipped bytes) are errors,
// never crashes.
#include "events/codec.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "events/event_types.h"
#include "rotor/v1/events.pb.h"
#include "tests/events/sample_events.h"

namespace rotor::testing {
namespace {

TEST(CodecTest, SamplesCoverEveryEventTypeInVariantOrder) {
  std::vector<Event> samples = SampleEvents();
  ASSERT_EQ(samples.size(), std::variant_size_v<Event>);
  for (size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(samples[i].index(), i);
}

TEST(CodecTest, EveryPopulatedEventRoundTrips) {
  for (const Event& event : SampleEvents()) {
    std::string_view type = EventTypeName(event);
    std::string payload = EncodePayload(event);
    auto decoded = DecodePayload(type, payload);
    ASSERT_TRUE(decoded.ok()) << type << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, event) << type;
    EXPECT_EQ(EncodePayload(*decoded), payload) << type;
  }
}

template <size_t... I>
std::vector<Event> DefaultEvents(std::index_sequence<I...>) {
  return {Event(std::in_place_index<I>)...};
}

TEST(CodecTest, EveryDefaultEventRoundTrips) {
  for (const Event& event : DefaultEvents(std::make_index_sequence<std::variant_size_v<Event>>())) {
    auto decoded = DecodePayload(EventTypeName(event), EncodePayload(event));
    ASSERT_TRUE(decoded.ok()) << EventTypeName(event) << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, event) << EventTypeName(event);
  }
}

TEST(CodecTest, TypeNamesAreTheProtobufNamesAndMapBothWays) {
  std::set<std::string_view> names;
  for (const Event& event : SampleEvents()) {
    std::string_view name = EventTypeName(event);
    EXPECT_EQ(name.substr(0, 9), "rotor.v1.");
    EXPECT_NE(v1::CertificateRegistered::descriptor()->file()->FindMessageTypeByName(
                  std::string(name.substr(9))),
              nullptr)
        << name << " is not a message of events.proto";
    EXPECT_EQ(EventIndexFromTypeName(name), static_cast<int>(event.index()));
    names.insert(name);
  }
  EXPECT_EQ(names.size(), std::variant_size_v<Event>);
  EXPECT_EQ(EventIndexFromTypeName("rotor.v1.NoSuchEvent"), -1);
  EXPECT_EQ(EventIndexFromTypeName("ReplacementInitiated"), -1);
  EXPECT_EQ(EventIndexFromTypeName(""), -1);
}

TEST(CodecTest, UnknownEventTypeIsInvalidArgument) {
  auto r = DecodePayload("rotor.v1.NoSuchEvent", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "unknown event type 'rotor.v1.NoSuchEvent'");
}

TEST(CodecTest, BytesThatDoNotParseAreInvalidArgument) {
  auto r = DecodePayload("rotor.v1.BindingsSwitched", std::string("\x12\x05"
                                                                  "ab",
                                                                  4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "payload does not parse as rotor.v1.BindingsSwitched");
}

TEST(CodecTest, UnknownEnumValuesAreInvalidArgumentNamingTheField) {
  struct Case {
    std::string type;
    std::string payload;
    std::string message;
  };
  std::vector<Case> cases;
  {
    v1::CertificateRegistered m;
    m.set_kind(static_cast<v1::CertificateKind>(5));
    cases.push_back({"rotor.v1.CertificateRegistered", m.SerializeAsString(),
                     "CertificateRegistered.kind: unknown value 5"});
  }
  {
    v1::ReplacementInitiated m;
    m.set_kind(static_cast<v1::CertificateKind>(-1));
    cases.push_back({"rotor.v1.ReplacementInitiated", m.SerializeAsString(),
                     "ReplacementInitiated.kind: unknown value -1"});
  }
  {
    v1::ReplacementInitiated m;
    m.set_mode(static_cast<v1::ReplacementMode>(3));
    cases.push_back({"rotor.v1.ReplacementInitiated", m.SerializeAsString(),
                     "ReplacementInitiated.mode: unknown value 3"});
  }
  {
    v1::RenewalInitiated m;
    m.set_target(static_cast<v1::RenewalTarget>(9));
    cases.push_back({"rotor.v1.RenewalInitiated", m.SerializeAsString(),
                     "RenewalInitiated.target: unknown value 9"});
  }
  {
    v1::GatewayRefreshRequired m;
    m.set_step(static_cast<v1::GatewayRefreshStep>(3));
    cases.push_back({"rotor.v1.GatewayRefreshRequired", m.SerializeAsString(),
                     "GatewayRefreshRequired.step: unknown value 3"});
  }
  {
    v1::GatewayRefreshPerformed m;
    m.set_step(static_cast<v1::GatewayRefreshStep>(100));
    cases.push_back({"rotor.v1.GatewayRefreshPerformed", m.SerializeAsString(),
                     "GatewayRefreshPerformed.step: unknown value 100"});
  }
  for (const Case& c : cases) {
    auto r = DecodePayload(c.type, c.payload);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(CodecTest, OutOfRangeTimestampsAreInvalidArgumentNamingTheField) {
  v1::AgentFlaggedStale m;
  m.set_agent_id("agent-1");
  m.mutable_last_report_at()->set_seconds(std::numeric_limits<int64_t>::max());
  auto r = DecodePayload("rotor.v1.AgentFlaggedStale", m.SerializeAsString());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "AgentFlaggedStale.last_report_at: timestamp out of range");

  m.mutable_last_report_at()->set_seconds(0);
  m.mutable_flagged_at()->set_nanos(-1);
  r = DecodePayload("rotor.v1.AgentFlaggedStale", m.SerializeAsString());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "AgentFlaggedStale.flagged_at: timestamp out of range");

  // The last representable instant, 9999-12-31T23:59:59.999999Z, is fine.
  m.mutable_flagged_at()->set_seconds(253402300799);
  m.mutable_flagged_at()->set_nanos(999999999);
  r = DecodePayload("rotor.v1.AgentFlaggedStale", m.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ToMicros(std::get<AgentFlaggedStale>(*r).flagged_at), int64_t{253402300799999999});
}

TEST(CodecTest, TruncatedAndFlippedPayloadsNeverCrash) {
  std::mt19937 rng(20261101);  // fixed: the same inputs every run
  int errors = 0;
  for (const Event& event : SampleEvents()) {
    std::string_view type = EventTypeName(event);
    std::string payload = EncodePayload(event);
    for (size_t n = 0; n < payload.size(); ++n) {
      auto r = DecodePayload(type, std::string_view(payload).substr(0, n));
      if (!r.ok()) {
        ++errors;
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      }
    }
    for (int i = 0; i < 200; ++i) {
      std::string flipped = payload;
      flipped[rng() % flipped.size()] ^= static_cast<char>(1 + rng() % 255);
      auto r = DecodePayload(type, flipped);
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      }
    }
  }
  EXPECT_GT(errors, 0);  // the truncations did reach the error paths
}

TEST(CodecTest, MakeNewEventFillsTypePayloadAndMetadata) {
  Event event = SampleEvents()[4];
  NewEvent e = MakeNewEvent(event, SampleTime(9), "alice", "corr-1", "cause-1");
  EXPECT_EQ(e.event_type, "rotor.v1.ReplacementCancelled");
  EXPECT_EQ(e.payload, EncodePayload(event));
  EXPECT_EQ(e.recorded_at, SampleTime(9));
  EXPECT_EQ(e.actor, "alice");
  EXPECT_EQ(e.correlation_id, "corr-1");
  EXPECT_EQ(e.causation_id, "cause-1");
}

TEST(CodecTest, EnumNames) {
  EXPECT_EQ(CertificateKindName(CertificateKind::kServerWeb), "server-web");
  EXPECT_EQ(CertificateKindName(CertificateKind::kCemRoot), "cem-root");
  EXPECT_EQ(CertificateKindName(CertificateKind::kCemAgent), "cem-agent");
  EXPECT_EQ(CertificateKindName(CertificateKind::kGatewayReporting), "gateway-reporting");
  EXPECT_EQ(CertificateKindName(static_cast<CertificateKind>(200)), "unspecified");
  for (auto kind : {CertificateKind::kServerWeb, CertificateKind::kCemRoot,
                    CertificateKind::kCemAgent, CertificateKind::kGatewayReporting}) {
    EXPECT_EQ(CertificateKindFromName(CertificateKindName(kind)), kind);
  }
  EXPECT_EQ(CertificateKindFromName("unspecified"), CertificateKind::kUnspecified);
  EXPECT_EQ(CertificateKindFromName("Server-Web"), CertificateKind::kUnspecified);
  EXPECT_EQ(ReplacementModeName(ReplacementMode::kDirect), "direct");
  EXPECT_EQ(ReplacementModeName(ReplacementMode::kPreStaged), "pre-staged");
  EXPECT_EQ(GatewayRefreshStepName(GatewayRefreshStep::kAfterInitiate), "after-initiate");
  EXPECT_EQ(GatewayRefreshStepName(GatewayRefreshStep::kAfterFinalize), "after-finalize");
  EXPECT_EQ(RenewalTargetName(RenewalTarget::kCemAgentCertificates), "cem-agent-certificates");
  EXPECT_EQ(RenewalTargetName(RenewalTarget::kGatewayReportingCertificate),
            "gateway-reporting-certificate");
  EXPECT_EQ(RenewalTargetName(RenewalTarget::kUnspecified), "unspecified");
}

TEST(CodecTest, CodecEnumsMatchTheProtoEnums) {
  EXPECT_EQ(static_cast<int>(CertificateKind::kGatewayReporting),
            v1::CERTIFICATE_KIND_GATEWAY_REPORTING);
  EXPECT_EQ(v1::CertificateKind_MAX, v1::CERTIFICATE_KIND_GATEWAY_REPORTING);
  EXPECT_EQ(static_cast<int>(ReplacementMode::kPreStaged), v1::REPLACEMENT_MODE_PRE_STAGED);
  EXPECT_EQ(v1::ReplacementMode_MAX, v1::REPLACEMENT_MODE_PRE_STAGED);
  EXPECT_EQ(static_cast<int>(GatewayRefreshStep::kAfterFinalize),
            v1::GATEWAY_REFRESH_STEP_AFTER_FINALIZE);
  EXPECT_EQ(v1::GatewayRefreshStep_MAX, v1::GATEWAY_REFRESH_STEP_AFTER_FINALIZE);
  EXPECT_EQ(static_cast<int>(RenewalTarget::kGatewayReportingCertificate),
            v1::RENEWAL_TARGET_GATEWAY_REPORTING_CERTIFICATE);
  EXPECT_EQ(v1::RenewalTarget_MAX, v1::RENEWAL_TARGET_GATEWAY_REPORTING_CERTIFICATE);
}

}  // namespace
}  // namespace rotor::testing
