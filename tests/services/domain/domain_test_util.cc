#include "tests/services/domain/domain_test_util.h"

#include <chrono>
#include <map>
#include <type_traits>

#include "base/hash.h"
#include "events/codec.h"
#include "services/domain/streams.h"

namespace rotor {

void PrintTo(const Event& event, std::ostream* os) {
  *os << EventTypeName(event);
  std::visit(
      [os](const auto& e) {
        if constexpr (requires { e.rollout_id; }) *os << " rollout=" << e.rollout_id;
        if constexpr (requires { e.agent_id; }) *os << " agent=" << e.agent_id;
        if constexpr (requires { e.gateway_id; }) *os << " gateway=" << e.gateway_id;
        if constexpr (requires { e.report_id; }) *os << " report=" << e.report_id;
        if constexpr (requires { e.fingerprint; }) *os << " fp=" << e.fingerprint.substr(0, 8);
        if constexpr (requires { e.step; }) *os << " step=" << GatewayRefreshStepName(e.step);
      },
      event);
}

}  // namespace rotor

namespace rotor::domain::testing {

Time T0() { return *ParseTime("2026-11-01T00:00:00Z"); }
Micros Days(int n) { return std::chrono::hours(24 * n); }
Micros Hours(int n) { return std::chrono::hours(n); }
Time Day(int n) { return T0() + Days(n); }

CertificateInfo FakeCertificate(std::string_view name, Time not_before, Time not_after) {
  CertificateInfo info;
  info.der = "der:" + std::string(name);
  info.fingerprint = ToHex(Sha256(info.der));
  info.subject = "CN=" + std::string(name);
  info.issuer = "CN=Test CA";
  info.serial_hex = "0a";
  info.not_before = not_before;
  info.not_after = not_after;
  info.key_algorithm = "EC-prime256v1";
  return info;
}

namespace {
const CertificateInfo& Fixed(std::string_view name, int expires_day) {
  static std::map<std::string, CertificateInfo, std::less<>> certificates;
  auto it = certificates.find(name);
  if (it == certificates.end()) {
    it = certificates.emplace(name, FakeCertificate(name, Day(-300), Day(expires_day))).first;
  }
  return it->second;
}
}  // namespace

const CertificateInfo& WebOld() { return Fixed("web-old", 30); }
const CertificateInfo& WebNew() { return Fixed("web-new", 400); }
const CertificateInfo& RootOld() { return Fixed("root-old", 30); }
const CertificateInfo& RootNew() { return Fixed("root-new", 400); }
const CertificateInfo& GatewayReporting() { return Fixed("gateway-reporting", 30); }
const CertificateInfo& AgentCert() { return Fixed("agent-cert", 30); }

CertificateRegistered Registered(const CertificateInfo& i, CertificateKind kind,
                                 std::string agent_id) {
  return CertificateRegistered{i, kind, std::move(agent_id)};
}

AgentReport Report(std::string report_id, std::string agent_id, Time at,
                   std::vector<std::string> fingerprints, std::string gateway_id,
                   bool cloud_enabled) {
  return AgentReport{std::move(report_id),
                     std::move(agent_id),
                     at,
                     std::move(fingerprints),
                     std::move(gateway_id),
                     "site-1",
                     cloud_enabled};
}

std::vector<std::string> ReportIdsOf(const EventLog& log, const std::string& agent) {
  std::vector<RecordedEvent> records;
  EXPECT_TRUE(log.ReadStream(AgentStream(agent), 1, 1000, &records).ok());
  std::vector<std::string> ids;
  for (const RecordedEvent& r : records) {
    Result<Event> e = DecodeEvent(r);
    EXPECT_TRUE(e.ok());
    if (const auto* reported = std::get_if<AgentInventoryReported>(&*e)) {
      ids.push_back(reported->report_id);
    }
  }
  return ids;
}

AgentInventoryReported Reported(const AgentReport& r) {
  return AgentInventoryReported{
      r.report_id,  r.agent_id, r.reported_at,  r.certificate_fingerprints,
      r.gateway_id, r.site,     r.cloud_enabled};
}

AgentInventoryReported Reported(std::string report_id, std::string agent_id, Time at,
                                std::vector<std::string> fingerprints, std::string gateway_id,
                                bool cloud_enabled) {
  return Reported(Report(std::move(report_id), std::move(agent_id), at, std::move(fingerprints),
                         std::move(gateway_id), cloud_enabled));
}

ReplacementInitiated WebReplacement(std::string rollout_id) {
  return ReplacementInitiated{std::move(rollout_id),    WebOld().fingerprint,
                              WebNew().fingerprint,     CertificateKind::kServerWeb,
                              ReplacementMode::kDirect, 0};
}

InitiateReplacement InitiateWeb(std::string rollout_id) {
  InitiateReplacement c;
  c.rollout_id = std::move(rollout_id);
  c.old_fingerprint = WebOld().fingerprint;
  c.new_fingerprint = WebNew().fingerprint;
  c.actor = "alice";
  c.now = T0();
  return c;
}

void DeciderTest::Given(const std::vector<Event>& events) { GivenAs(events, "test", T0()); }

void DeciderTest::GivenAs(const std::vector<Event>& events, std::string_view actor, Time at) {
  for (const Event& event : events) {
    std::string stream = StreamFor(event);
    EventMeta meta{++sequence_, stream, state_.StreamVersion(stream) + 1, at, actor};
    Evolve(state_, meta, event);
  }
}

void DeciderTest::When(Command command) {
  command_ = std::move(command);
  result_.emplace(Decide(*command_, state_));
}

void DeciderTest::ThenEvents(const std::vector<Event>& expected) {
  ASSERT_TRUE(result_.has_value()) << "When() was not called";
  ASSERT_TRUE(result_->ok()) << result_->status().ToString();
  EXPECT_EQ((*result_)->Events(), expected);
}

void DeciderTest::ThenNoEvents() { ThenEvents({}); }

void DeciderTest::ThenError(StatusCode code, std::string_view message) {
  ASSERT_TRUE(result_.has_value()) << "When() was not called";
  ASSERT_FALSE(result_->ok()) << "expected an error, got " << (*result_)->Events().size()
                              << " events";
  EXPECT_EQ(result_->status().code(), code) << result_->status().ToString();
  EXPECT_EQ(result_->status().message(), message);
}

void DeciderTest::ThenErrorContains(StatusCode code, std::string_view part) {
  ASSERT_TRUE(result_.has_value()) << "When() was not called";
  ASSERT_FALSE(result_->ok()) << "expected an error";
  EXPECT_EQ(result_->status().code(), code) << result_->status().ToString();
  EXPECT_NE(result_->status().message().find(part), std::string::npos)
      << result_->status().message();
}

void DeciderTest::ThenRepeatingChangesNothing(std::optional<StatusCode> repeat_error) {
  ASSERT_TRUE(result_.has_value() && result_->ok());
  ASSERT_FALSE((*result_)->IsEmpty()) << "the first decision already changed nothing";
  Apply();
  Result<Decision> again = Decide(*command_, state_);
  if (repeat_error.has_value()) {
    EXPECT_EQ(again.status().code(), *repeat_error) << again.status().ToString();
  } else {
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->Events(), std::vector<Event>{});
  }
}

void DeciderTest::Apply() {
  ASSERT_TRUE(result_.has_value() && result_->ok());
  GivenAs((*result_)->Events(), (*result_)->actor, (*result_)->recorded_at);
}

const Decision& DeciderTest::Decided() const { return **result_; }

}  // namespace rotor::domain::testing
