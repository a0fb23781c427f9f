// Given(events) / When(command) / Then(events or error) for the rollout
// domain's deciders, and small builders for certificates, reports and time.
// Test-only.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "events/event_log.h"
#include "events/event_types.h"
#include "services/domain/commands.h"
#include "services/domain/decide.h"
#include "services/domain/decision.h"
#include "services/domain/state.h"

namespace rotor {
// Prints an event's type and identifying fields in gtest failure messages.
void PrintTo(const Event& event, std::ostream* os);
}  // namespace rotor

namespace rotor::domain::testing {

// 2026-11-01T00:00:00Z, the day every test starts.
Time T0();
// T0 plus `n` days (negative: before).
Time Day(int n);
Micros Days(int n);
Micros Hours(int n);

// A certificate with fake DER bytes ("der:<name>") whose fingerprint is their SHA-256.
CertificateInfo FakeCertificate(std::string_view name, Time not_before, Time not_after);
// Fixed certificates of the tests, valid from Day(-300); the "old" ones expire at Day(30),
// the "new" ones at Day(400).
const CertificateInfo& WebOld();
const CertificateInfo& WebNew();
const CertificateInfo& RootOld();
const CertificateInfo& RootNew();
const CertificateInfo& GatewayReporting();
const CertificateInfo& AgentCert();

CertificateRegistered Registered(const CertificateInfo& info, CertificateKind kind,
                                 std::string agent_id = "");
AgentReport Report(std::string report_id, std::string agent_id, Time at,
                   std::vector<std::string> fingerprints, std::string gateway_id = "",
                   bool cloud_enabled = false);
AgentInventoryReported Reported(const AgentReport& report);
// Reported(Report(...)) in one call.
AgentInventoryReported Reported(std::string report_id, std::string agent_id, Time at,
                                std::vector<std::string> fingerprints, std::string gateway_id = "",
                                bool cloud_enabled = false);

// The report ids of the AgentInventoryReported events in `agent`'s stream
// of `log`, in stream order.
std::vector<std::string> ReportIdsOf(const EventLog& log, const std::string& agent);

// A direct replacement of WebOld by WebNew, as rollout `rollout_id`.
ReplacementInitiated WebReplacement(std::string rollout_id = "r1");
InitiateReplacement InitiateWeb(std::string rollout_id = "r1");

// Base fixture: a DomainState built by Given, one When, and Then checks.
class DeciderTest : public ::testing::Test {
 protected:
  // Folds `events` into the state, each in its stream (streams.h).
  void Given(const std::vector<Event>& events);
  // Folds `events` as recorded by `actor` at `at`.
  void GivenAs(const std::vector<Event>& events, std::string_view actor, Time at);
  // Decides `command` against the state.
  void When(Command command);
  // Expects the decision to hold exactly `expected`, in order.
  void ThenEvents(const std::vector<Event>& expected);
  // Expects an empty decision (a repeat or a no-op).
  void ThenNoEvents();
  // Expects the error `code` with exactly `message`.
  void ThenError(StatusCode code, std::string_view message);
  // Expects the error `code` with a message containing `part`.
  void ThenErrorContains(StatusCode code, std::string_view part);
  // Folds the decided events, decides the same command again, and expects no
  // new events (or, when `repeat_error` is set, that error code).
  void ThenRepeatingChangesNothing(std::optional<StatusCode> repeat_error = std::nullopt);
  // Folds the decided events into the state, as recorded by the decision's
  // actor at its time (to chain steps).
  void Apply();
  const Decision& Decided() const;

  DomainState state_;
  std::optional<Command> command_;
  std::optional<Result<Decision>> result_;
  uint64_t sequence_ = 0;
};

}  // namespace rotor::domain::testing
