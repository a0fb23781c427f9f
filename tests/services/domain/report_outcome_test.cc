// ClassifyReport: the one answer to "what became of this agent report" that
// the HTTP report routes and the Kafka ingestor both give, on outcomes made
// by hand and on the command service's own.
#include "services/domain/report_outcome.h"

#include <gtest/gtest.h>

#include "events/memory_event_log.h"
#include "services/domain/command_service.h"
#include "tests/services/domain/domain_test_util.h"

namespace rotor::domain::testing {
namespace {

CommandOutcome Appended(std::vector<Event> events) {
  CommandOutcome outcome;
  outcome.appended.push_back(AppendedStream{"agent-1", AppendResult{}, std::move(events)});
  return outcome;
}

TEST(ReportOutcomeTest, AnAppendedInventoryIsIngested) {
  Result<ReportOutcome> r = ClassifyReport(Appended({Reported("rep-1", "agent-1", T0(), {"fp"})}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->disposition, ReportDisposition::kIngested);
  EXPECT_EQ(ReportDispositionName(r->disposition), "ingested");
}

TEST(ReportOutcomeTest, NothingAppendedIsADuplicate) {
  Result<ReportOutcome> r = ClassifyReport(CommandOutcome{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->disposition, ReportDisposition::kDuplicate);
  EXPECT_EQ(ReportDispositionName(r->disposition), "duplicate");
}

TEST(ReportOutcomeTest, AnAppendedRejectionIsRejectedWithItsReason) {
  Result<ReportOutcome> r = ClassifyReport(Appended(
      {AgentReportRejected{"rep-1", "agent-1", T0(), "the agent's certificate is revoked"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->disposition, ReportDisposition::kRejected);
  EXPECT_EQ(r->reason, "the agent's certificate is revoked");
  EXPECT_EQ(ReportDispositionName(r->disposition), "rejected");
}

TEST(ReportOutcomeTest, TheReportsFaultIsInvalidAndKeepsTheError) {
  for (StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kNotFound,
                          StatusCode::kAlreadyExists, StatusCode::kFailedPrecondition}) {
    Status error(code, "report_id rep-1 belongs to agent-2");
    EXPECT_TRUE(IsReportError(error));
    Result<ReportOutcome> r = ClassifyReport(Result<CommandOutcome>(error));
    ASSERT_TRUE(r.ok()) << error.ToString();
    EXPECT_EQ(r->disposition, ReportDisposition::kInvalid);
    EXPECT_EQ(r->error.code(), code);
    EXPECT_EQ(r->error.message(), error.message());
  }
}

TEST(ReportOutcomeTest, TheSystemsFaultIsReturnedForARetry) {
  for (StatusCode code : {StatusCode::kIoError, StatusCode::kConflict, StatusCode::kCancelled,
                          StatusCode::kCorruption, StatusCode::kInternal}) {
    Status error(code, "the log failed");
    EXPECT_FALSE(IsReportError(error));
    Result<ReportOutcome> r = ClassifyReport(Result<CommandOutcome>(error));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code);
  }
}

TEST(ReportOutcomeTest, TheCommandServicesOutcomesClassifyAsIngestedThenDuplicate) {
  MemoryEventLog log;
  CommandService service(log);
  IngestAgentReport command{Report("rep-1", "agent-1", T0(), {}), T0(), "relay-1"};
  Result<ReportOutcome> first = ClassifyReport(service.Execute(command));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->disposition, ReportDisposition::kIngested);
  Result<ReportOutcome> again = ClassifyReport(service.Execute(command));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->disposition, ReportDisposition::kDuplicate);
}

}  // namespace
}  // namespace rotor::domain::testing
