// CommandService over the in-memory log: appends with expected versions,
// catches up with other writers, decides again after a conflict, and keeps
// reports effectively-once.
#include "services/domain/command_service.h"

#include <gmock/gmock.h>

#include <thread>

#include "events/codec.h"
#include "events/memory_event_log.h"
#include "services/domain/state_codec.h"
#include "services/domain/streams.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

using ::testing::StartsWith;

RegisterCertificate Register(const CertificateInfo& info) {
  return RegisterCertificate{info, CertificateKind::kServerWeb, "", "alice", T0()};
}

IngestAgentReport Ingest(std::string report_id, std::string agent, Time at,
                         std::vector<std::string> fingerprints) {
  return IngestAgentReport{
      Report(std::move(report_id), std::move(agent), at, std::move(fingerprints)), at, "relay-1"};
}

class CommandServiceTest : public ::testing::Test {
 protected:
  // Registers both web certificates and starts replacement r1 through `service_`.
  void Seed() {
    for (const Command& c :
         {Command(Register(WebOld())), Command(Register(WebNew())), Command(InitiateWeb("r1"))}) {
      Result<CommandOutcome> outcome = service_.Execute(c);
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    }
  }
  std::vector<Event> StreamEvents(const std::string& stream) {
    std::vector<RecordedEvent> records;
    EXPECT_TRUE(log_.ReadStream(stream, 1, 1000, &records).ok());
    std::vector<Event> events;
    events.reserve(records.size());
    for (const RecordedEvent& r : records) events.push_back(*DecodeEvent(r));
    return events;
  }

  MemoryEventLog log_;
  CommandService service_{log_};
  const std::string& kOld = WebOld().fingerprint;
  const std::string& kNew = WebNew().fingerprint;
};

TEST_F(CommandServiceTest, AppendsTheDecisionAndReturnsWhereItWent) {
  Result<CommandOutcome> outcome = service_.Execute(Register(WebOld()));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->attempts, 1);
  ASSERT_EQ(outcome->appended.size(), 1u);
  const AppendedStream& appended = outcome->appended[0];
  EXPECT_EQ(appended.stream_id, CertificateStream(kOld));
  EXPECT_EQ(appended.result.first_sequence, 1u);
  EXPECT_EQ(appended.result.stream_version, 1u);
  EXPECT_EQ(appended.events, std::vector<Event>{Registered(WebOld(), CertificateKind::kServerWeb)});

  RecordedEvent record;
  ASSERT_TRUE(log_.ReadOne(1, &record).ok());
  EXPECT_EQ(record.actor, "alice");
  EXPECT_EQ(record.recorded_at, T0());
  EXPECT_EQ(*DecodeEvent(record), appended.events[0]);
}

TEST_F(CommandServiceTest, ARepeatedCommandAppendsNothing) {
  Seed();
  uint64_t head = log_.Head();
  Result<CommandOutcome> outcome = service_.Execute(InitiateWeb("r1"));
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->IsNoOp());
  EXPECT_EQ(log_.Head(), head);
}

TEST_F(CommandServiceTest, ARefusedCommandAppendsNothing) {
  Seed();
  uint64_t head = log_.Head();
  Result<CommandOutcome> outcome =
      service_.Execute(FinalizeReplacement{"r9", false, "", "alice", T0()});
  EXPECT_EQ(outcome.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(log_.Head(), head);
}

TEST_F(CommandServiceTest, DecidesOnEventsAppendedByAnotherService) {
  Seed();
  CommandService other(log_);
  Result<CommandOutcome> outcome = other.Execute(CancelReplacement{"r1", "", "bob", T0()});
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->appended[0].result.stream_version, 2u);
  outcome = service_.Execute(FinalizeReplacement{"r1", false, "", "alice", T0()});
  EXPECT_EQ(outcome.status().message(),
            "rollout r1 is cancelled; only an active replacement can be finalized");
}

TEST_F(CommandServiceTest, AConflictMakesTheServiceDecideAgainOnTheNewState) {
  Seed();
  CommandService other(log_);
  std::vector<int> attempts;
  CommandService racer(
      log_, {8, [&](int attempt) {
               attempts.push_back(attempt);
               // Someone finalizes r1 after this service decided.
               if (attempt == 1) {
                 ASSERT_TRUE(other.Execute(FinalizeReplacement{"r1", false, "", "bob", T0()}).ok());
               }
             }});
  Result<CommandOutcome> outcome = racer.Execute(CancelReplacement{"r1", "", "carol", T0()});
  // The second decision is a refusal; recording it (refusals.h) is the second append.
  EXPECT_EQ(attempts, (std::vector<int>{1, 2}));
  EXPECT_EQ(outcome.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(outcome.status().message(), StartsWith("rollout r1 is finalized"));
  EXPECT_EQ(StreamEvents("rollout-r1"),
            (std::vector<Event>{
                WebReplacement("r1"), ReplacementFinalized{"r1", 0, 0, false, "", {}, 0},
                CommandRefused{"CancelReplacement", "r1", "", outcome.status().message()}}));
}

TEST_F(CommandServiceTest, AStreamPartlyAppendedBeforeAConflictCompletesOnRetry) {
  Seed();
  ASSERT_TRUE(service_.Execute(Ingest("rep-1", "a1", Day(-20), {kOld})).ok());
  ASSERT_TRUE(service_.Execute(Ingest("rep-2", "a2", Day(-20), {kOld})).ok());
  CommandService other(log_);
  CommandService sweeper(log_,
                         {8, [&](int attempt) {
                            // a2 reports after the sweeper decided to flag it.
                            if (attempt == 1) {
                              ASSERT_TRUE(other.Execute(Ingest("rep-3", "a2", T0(), {kOld})).ok());
                            }
                          }});
  FlagStaleAgents flag;
  flag.threshold = Days(7);
  flag.now = T0();
  Result<CommandOutcome> outcome = sweeper.Execute(flag);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->attempts, 2);
  ASSERT_EQ(outcome->appended.size(), 1u);
  EXPECT_EQ(outcome->appended[0].stream_id, "agent-a1");
  ASSERT_TRUE(sweeper
                  .Read([](const DomainState& s) {
                    EXPECT_TRUE(s.FindAgent("a1")->stale);
                    EXPECT_FALSE(s.FindAgent("a2")->stale) << "a2 reported; it must not be flagged";
                  })
                  .ok());
}

TEST_F(CommandServiceTest, GivesUpAfterTheConfiguredAttempts) {
  Seed();
  ASSERT_TRUE(service_.Execute(CancelReplacement{"r1", "", "bob", T0()}).ok());
  ASSERT_TRUE(service_
                  .Execute(InitiateReplacement{"r2", kOld, kNew, ReplacementMode::kPreStaged, 1000,
                                               kDefaultMinValidity, "alice", T0()})
                  .ok());
  CommandService other(log_);
  CommandService loser(
      log_, {3, [&](int attempt) {
               ASSERT_TRUE(other
                               .Execute(StageCertificate{"r2", "profile-" + std::to_string(attempt),
                                                         "bob", T0()})
                               .ok());
             }});
  Result<CommandOutcome> outcome = loser.Execute(StageCertificate{"r2", "mine", "carol", T0()});
  EXPECT_EQ(outcome.status().code(), StatusCode::kConflict);
  EXPECT_EQ(outcome.status().message(), "StageCertificate: still conflicting after 3 attempts");
}

TEST_F(CommandServiceTest, AReportIsRecordedOnceWhicheverServiceIngestsIt) {
  CommandService other(log_);
  ASSERT_TRUE(service_.Execute(Ingest("rep-1", "a1", T0(), {kOld})).ok());
  Result<CommandOutcome> again = other.Execute(Ingest("rep-1", "a1", T0(), {kOld}));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->IsNoOp());
  EXPECT_EQ(log_.Head(), 1u);
}

// The state remembers only an agent's latest rejected report ids
// (kRememberedRejections); an older repeat is recognised by the log's
// idempotency key, held by the same agent's stream: a no-op, not an error.
TEST_F(CommandServiceTest, AnOldRejectedOrAcceptedReportDeliveredAgainIsANoOp) {
  ASSERT_TRUE(service_.Execute(Ingest("rep-0", "a1", T0() - Hours(2), {kOld})).ok());
  ASSERT_TRUE(service_.Execute(RevokeAgentCertificate{"a1", 1, "alice", T0()}).ok());
  std::vector<Command> rejected;
  for (size_t i = 0; i < kRememberedRejections + 3; ++i) {
    rejected.emplace_back(Ingest("rej-" + std::to_string(i), "a1", T0(), {kNew}));
  }
  for (const Command& c : rejected) ASSERT_TRUE(service_.Execute(c).ok());
  uint64_t head = log_.Head();
  for (const Command& c :
       {rejected.front(), Command(Ingest("rep-0", "a1", T0() - Hours(2), {kOld}))}) {
    Result<CommandOutcome> again = service_.Execute(c);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE(again->IsNoOp());
  }
  std::vector<Result<CommandOutcome>> batch = service_.ExecuteBatch(rejected);
  for (const Result<CommandOutcome>& r : batch) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->IsNoOp());
  }
  EXPECT_EQ(log_.Head(), head) << "nothing appended for a repeat";
}

TEST_F(CommandServiceTest, AReportIdReusedByAnotherAgentIsRefused) {
  ASSERT_TRUE(service_.Execute(Ingest("rep-1", "a1", T0(), {kOld})).ok());
  Result<CommandOutcome> outcome = service_.Execute(Ingest("rep-1", "a2", T0(), {kOld}));
  EXPECT_EQ(outcome.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(outcome.status().message(),
            "idempotency key 'report:rep-1' is already used by stream 'agent-a1' at sequence 1");
  EXPECT_EQ(log_.Head(), 1u);
}

TEST_F(CommandServiceTest, AnEventThisBuildCannotReadStopsTheService) {
  AppendRequest request;
  request.stream_id = "other-1";
  request.events.push_back(NewEvent{"rotor.v9.FromTheFuture", "", T0(), "x", "", ""});
  ASSERT_TRUE(log_.Append(request).ok());
  Result<CommandOutcome> outcome = service_.Execute(Register(WebOld()));
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(outcome.status().message(), StartsWith("sequence 1: "));
  EXPECT_EQ(log_.Head(), 1u);
}

// The agents' facts of `s`, as text: id, version, report time, inventory.
std::string AgentFacts(const DomainState& s) {
  std::string out;
  s.ForEachAgent([&](std::string_view id, const AgentState& a) {
    out += std::string(id) + " v" + std::to_string(a.stream_version) + " " +
           std::to_string(ToMicros(a.last_report_at)) + " [";
    for (uint32_t fp : s.inventories.Get(a.inventory)) out += std::string(s.fingerprints.Get(fp));
    out += "]\n";
  });
  return out;
}

// Reports keep arriving while a snapshot is encoded in tiny pieces: the
// snapshot is the fold of the log up to its sequence, whichever reports
// landed between its pieces.
TEST_F(CommandServiceTest, ASnapshotEncodedWhileReportsArriveIsTheLogFoldedToItsSequence) {
  Seed();
  auto report = [&](int i) {
    std::string agent = "pc-" + std::to_string(i % 400);
    std::vector<std::string> held = {kOld};
    if (i >= 400) held.push_back(kNew);
    ASSERT_TRUE(
        service_.Execute(Ingest("rep-" + std::to_string(i), agent, T0() + Hours(1 + i), held))
            .ok());
  };
  for (int i = 0; i < 400; ++i) report(i);
  std::thread reporter([&] {
    for (int i = 400; i < 1000; ++i) report(i);
  });
  StateEncoder encoder({.chunk_agents = 4, .slice_strings = 8});
  Status encoded = service_.EncodeSnapshot(encoder);
  reporter.join();
  ASSERT_TRUE(encoded.ok()) << encoded.ToString();
  std::string bytes;
  for (std::string_view part : encoder.Parts()) bytes.append(part);
  Result<DomainState> snapshot = DecodeState(bytes);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  DomainState folded;
  ASSERT_TRUE(
      log_.ForEach(1,
                   [&](const RecordedEvent& r) {
                     if (r.sequence > encoder.sequence()) return false;
                     Evolve(folded,
                            {r.sequence, r.stream_id, r.stream_version, r.recorded_at, r.actor},
                            *DecodeEvent(r));
                     return true;
                   })
          .ok());
  EXPECT_EQ(snapshot->last_sequence, encoder.sequence());
  EXPECT_EQ(folded.last_sequence, encoder.sequence());
  EXPECT_EQ(AgentFacts(*snapshot), AgentFacts(folded));
  const RolloutState* r1 = snapshot->FindRollout("r1");
  ASSERT_NE(r1, nullptr);
  EXPECT_EQ(r1->counters.received, folded.FindRollout("r1")->counters.received);
}

}  // namespace
}  // namespace rotor::domain::testing
