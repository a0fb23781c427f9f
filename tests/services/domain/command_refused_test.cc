// Refused lifecycle commands are recorded (refusals.h): the command service
// appends a CommandRefused to the target's stream and still answers the
// decider's refusal, unchanged. Malformed input, unknown ids and other
// commands' refusals append nothing.
#include <gtest/gtest.h>

#include "events/codec.h"
#include "events/memory_event_log.h"
#include "services/domain/command_service.h"
#include "services/domain/refusals.h"
#include "services/domain/streams.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

class CommandRefusedTest : public ::testing::Test {
 protected:
  // Both web certificates, replacement r1, and agent a1 holding only the old one.
  void SetUp() override {
    const Command seed[] = {
        RegisterCertificate{WebOld(), CertificateKind::kServerWeb, "", "alice", T0()},
        RegisterCertificate{WebNew(), CertificateKind::kServerWeb, "", "alice", T0()},
        InitiateWeb("r1"),
        IngestAgentReport{Report("rep-1", "a1", T0(), {WebOld().fingerprint}), T0(), "relay-1"}};
    for (const Command& c : seed) ASSERT_TRUE(service_.Execute(c).ok());
  }

  // The decider's answer to `command` on the service's current state.
  Status DecidedRefusal(const Command& command) {
    Status refusal;
    EXPECT_TRUE(
        service_.Read([&](const DomainState& s) { refusal = Decide(command, s).status(); }).ok());
    return refusal;
  }

  RecordedEvent Last() {
    RecordedEvent record;
    EXPECT_TRUE(log_.ReadOne(log_.Head(), &record).ok());
    return record;
  }

  static FinalizeReplacement Finalize(bool force = false, std::string reason = "") {
    return FinalizeReplacement{"r1", force, std::move(reason), "oscar", T0() + Hours(1)};
  }

  MemoryEventLog log_;
  CommandService service_{log_};
};

TEST_F(CommandRefusedTest, ARefusedFinalizeIsRecordedAndAnsweredWithTheSameError) {
  Status expected = DecidedRefusal(Finalize());
  ASSERT_EQ(expected.code(), StatusCode::kFailedPrecondition);
  uint64_t head = log_.Head();

  Result<CommandOutcome> outcome = service_.Execute(Finalize());
  EXPECT_EQ(outcome.status().code(), expected.code());
  EXPECT_EQ(outcome.status().message(), expected.message());
  ASSERT_EQ(log_.Head(), head + 1);
  RecordedEvent record = Last();
  EXPECT_EQ(record.stream_id, RolloutStream("r1"));
  EXPECT_EQ(record.actor, "oscar");
  EXPECT_EQ(record.recorded_at, T0() + Hours(1));
  EXPECT_EQ(*DecodeEvent(record),
            Event(CommandRefused{"FinalizeReplacement", "r1", "", expected.message()}));

  // Each attempt is recorded; the rollout goes on as before.
  EXPECT_FALSE(service_.Execute(Finalize()).ok());
  EXPECT_EQ(log_.Head(), head + 2);
  Result<CommandOutcome> forced = service_.Execute(Finalize(true, "change window"));
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_TRUE(std::holds_alternative<ReplacementFinalized>(forced->appended[0].events[0]));
}

TEST_F(CommandRefusedTest, ARefusedCancelAndSwitchBindingsAreRecorded) {
  ASSERT_TRUE(service_.Execute(Finalize(true, "change window")).ok());
  uint64_t head = log_.Head();
  Result<CommandOutcome> cancel =
      service_.Execute(CancelReplacement{"r1", "too late", "oscar", T0() + Hours(2)});
  EXPECT_EQ(cancel.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_EQ(log_.Head(), head + 1);
  EXPECT_EQ(*DecodeEvent(Last()),
            Event(CommandRefused{"CancelReplacement", "r1", "", cancel.status().message()}));

  Result<CommandOutcome> bindings =
      service_.Execute(SwitchBindings{"r1", "oscar", T0() + Hours(2)});
  EXPECT_EQ(bindings.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(log_.Head(), head + 2);
  EXPECT_EQ(std::get<CommandRefused>(*DecodeEvent(Last())).command, "SwitchBindings");
}

TEST_F(CommandRefusedTest, MalformedInputUnknownIdsAndOtherCommandsAppendNothing) {
  uint64_t head = log_.Head();
  EXPECT_EQ(service_.Execute(Finalize(true, "")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.Execute(FinalizeReplacement{"r9", false, "", "oscar", T0()}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(service_.Execute(DeleteAgentResource{"nobody", "", "oscar", T0()}).status().code(),
            StatusCode::kNotFound);
  // Initiating a second replacement of the same certificate is refused but is not a
  // lifecycle command of an existing target.
  EXPECT_EQ(service_.Execute(InitiateWeb("r2")).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(log_.Head(), head);
}

TEST_F(CommandRefusedTest, ExecuteBatchRecordsARefusalToo) {
  uint64_t head = log_.Head();
  const Command batch[] = {
      IngestAgentReport{Report("rep-2", "a2", T0(), {WebOld().fingerprint}), T0(), "relay-1"},
      Finalize()};
  std::vector<Result<CommandOutcome>> results = service_.ExecuteBatch(batch);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok());
  ASSERT_EQ(results[1].status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(results[1].status().message().find("2 of 2 agents"), std::string::npos)
      << "decided after the report before it: " << results[1].status().message();
  ASSERT_EQ(log_.Head(), head + 2);
  EXPECT_EQ(*DecodeEvent(Last()),
            Event(CommandRefused{"FinalizeReplacement", "r1", "", results[1].status().message()}));
}

TEST(RefusalsTest, OnlyRuleRefusalsOfLifecycleCommandsAreRecorded) {
  Status rule = Status::FailedPrecondition("rollout r1 is finalized");
  Command revoke = RevokeAgentCertificate{"a1", 1, "oscar", T0()};
  EXPECT_TRUE(IsRecordedRefusal(revoke, rule));
  std::optional<Decision> record = RefusalRecord(revoke, rule);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->actor, "oscar");
  ASSERT_EQ(record->appends.size(), 1u);
  EXPECT_EQ(record->appends[0].stream_id, AgentStream("a1"));
  Event expected = CommandRefused{"RevokeAgentCertificate", "", "a1", "rollout r1 is finalized"};
  EXPECT_EQ(record->Events(), std::vector<Event>{expected});
  EXPECT_FALSE(IsRecordedRefusal(revoke, Status::InvalidArgument("reason code 8")));
  EXPECT_FALSE(IsRecordedRefusal(revoke, Status::NotFound("agent a1 is unknown")));
  EXPECT_FALSE(IsRecordedRefusal(InitiateWeb("r1"), rule));
  EXPECT_FALSE(RefusalRecord(InitiateWeb("r1"), rule).has_value());
}

}  // namespace
}  // namespace rotor::domain::testing
