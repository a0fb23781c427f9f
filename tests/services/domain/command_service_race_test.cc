// Two command services racing on one rollout, in threads, over the real
// RocksDB event log in a temporary directory. A hook makes both services
// decide on the same state before either appends, so the race is certain:
// one append wins, the other gets a version conflict, catches up, and
// decides again on the new state.
#include <gmock/gmock.h>

#include <atomic>
#include <latch>
#include <optional>
#include <thread>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "services/domain/command_service.h"
#include "tests/services/domain/domain_test_util.h"
#include "tests/services/domain/rocksdb_log_test.h"
#include "tests/testing/temp_dir.h"

namespace rotor::domain::testing {
namespace {

using ::testing::StartsWith;

class CommandServiceRaceTest : public RocksDbLogTest {
 protected:
  void SetUp() override {
    RocksDbLogTest::SetUp();
    if (HasFatalFailure()) return;
    CommandService seeder(*log_);
    for (const Command& c : std::vector<Command>{
             RegisterCertificate{WebOld(), CertificateKind::kServerWeb, "", "alice", T0()},
             RegisterCertificate{WebNew(), CertificateKind::kServerWeb, "", "alice", T0()},
             InitiateWeb("r1"),
             IngestAgentReport{Report("rep-1", "a1", T0(), {kOld, kNew}), T0(), "relay-1"}}) {
      Result<CommandOutcome> outcome = seeder.Execute(c);
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
    }
  }

  // Runs `a` on one service and `b` on another, in two threads, both
  // deciding before either appends. Records each service's attempts.
  std::pair<Result<CommandOutcome>, Result<CommandOutcome>> Race(const Command& a,
                                                                 const Command& b) {
    std::latch both_decided(2);
    auto hook = [&both_decided](std::vector<int>& attempts) {
      return [&both_decided, &attempts](int attempt) {
        attempts.push_back(attempt);
        if (attempt == 1) both_decided.arrive_and_wait();
      };
    };
    CommandService service_a(*log_, {8, hook(attempts_a_)});
    CommandService service_b(*log_, {8, hook(attempts_b_)});
    std::optional<Result<CommandOutcome>> result_a, result_b;
    std::thread thread_a([&] { result_a.emplace(service_a.Execute(a)); });
    std::thread thread_b([&] { result_b.emplace(service_b.Execute(b)); });
    thread_a.join();
    thread_b.join();
    return {std::move(*result_a), std::move(*result_b)};
  }

  std::vector<Event> StreamEvents(const std::string& stream) {
    std::vector<RecordedEvent> records;
    EXPECT_TRUE(log_->ReadStream(stream, 1, 1000, &records).ok());
    std::vector<Event> events;
    events.reserve(records.size());
    for (const RecordedEvent& r : records) events.push_back(*DecodeEvent(r));
    return events;
  }

  // The attempts of whichever service lost the race (its second decision).
  const std::vector<int>& LoserAttempts() {
    return attempts_a_.size() > attempts_b_.size() ? attempts_a_ : attempts_b_;
  }

  std::vector<int> attempts_a_, attempts_b_;
  const std::string& kOld = WebOld().fingerprint;
  const std::string& kNew = WebNew().fingerprint;
};

TEST_F(CommandServiceRaceTest, FinalizeAndCancelNeverBothWin) {
  auto [finalized, cancelled] = Race(FinalizeReplacement{"r1", false, "", "alice", T0()},
                                     CancelReplacement{"r1", "changed my mind", "bob", T0()});
  ASSERT_NE(finalized.ok(), cancelled.ok())
      << finalized.status().ToString() << " / " << cancelled.status().ToString();
  const Result<CommandOutcome>& loser = finalized.ok() ? cancelled : finalized;
  EXPECT_EQ(loser.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(loser.status().message(),
              StartsWith(finalized.ok() ? "rollout r1 is finalized" : "rollout r1 is cancelled"));
  // The winner decided once. The loser decided once, conflicted, and its
  // second decision was a refusal, recorded by a second append (refusals.h).
  const std::vector<int>& winner = finalized.ok() ? attempts_a_ : attempts_b_;
  const std::vector<int>& loser_attempts = finalized.ok() ? attempts_b_ : attempts_a_;
  EXPECT_EQ(winner, std::vector<int>{1});
  EXPECT_EQ(loser_attempts, (std::vector<int>{1, 2}));
  std::vector<Event> events = StreamEvents("rollout-r1");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].index(), finalized.ok() ? Event(ReplacementFinalized{}).index()
                                              : Event(ReplacementCancelled{}).index());
  EXPECT_EQ(events[2],
            Event(CommandRefused{finalized.ok() ? "CancelReplacement" : "FinalizeReplacement", "r1",
                                 "", loser.status().message()}));
}

TEST_F(CommandServiceRaceTest, TwoFinalizesAppendOneEvent) {
  auto [a, b] = Race(FinalizeReplacement{"r1", false, "", "alice", T0()},
                     FinalizeReplacement{"r1", false, "", "bob", T0()});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NE(a->IsNoOp(), b->IsNoOp()) << "exactly one appended";
  const CommandOutcome& loser = a->IsNoOp() ? *a : *b;
  EXPECT_EQ(loser.attempts, 2) << "the loser conflicted and decided again";
  EXPECT_EQ(LoserAttempts(), (std::vector<int>{1, 2}));
  EXPECT_EQ(StreamEvents("rollout-r1"),
            (std::vector<Event>{WebReplacement("r1"),
                                ReplacementFinalized{"r1", 1, 1, false, "", {}, 0}}));
}

TEST_F(CommandServiceRaceTest, TwoReplacementsOfOneCertificateNeverBothStart) {
  CommandService setup(*log_);
  ASSERT_TRUE(setup.Execute(CancelReplacement{"r1", "", "alice", T0()}).ok());
  auto [a, b] = Race(InitiateWeb("r2"), InitiateWeb("r3"));
  ASSERT_NE(a.ok(), b.ok()) << a.status().ToString() << " / " << b.status().ToString();
  const Result<CommandOutcome>& loser = a.ok() ? b : a;
  std::string winner = a.ok() ? "r2" : "r3";
  EXPECT_EQ(loser.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(loser.status().message(), "certificate " + kOld +
                                          " already has an active replacement, rollout " + winner +
                                          "; finalize or cancel it before starting another");
  EXPECT_EQ(StreamEvents("rollout-r2").size() + StreamEvents("rollout-r3").size(), 1u);
}

TEST_F(CommandServiceRaceTest, ConcurrentReportsForOneAgentKeepTheNewest) {
  CommandService service_a(*log_);
  CommandService service_b(*log_);
  constexpr int kThreads = 4;
  constexpr int kReportsPerThread = 25;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CommandService& service = t % 2 == 0 ? service_a : service_b;
      for (int i = 0; i < kReportsPerThread; ++i) {
        int n = i * kThreads + t;  // report n was taken at minute n
        Time at = T0() + std::chrono::minutes(n);
        auto held = n % 2 == 0 ? std::vector<std::string>{kOld} : std::vector<std::string>{kNew};
        if (!service
                 .Execute(IngestAgentReport{Report("rep-x" + std::to_string(n), "a2", at, held), at,
                                            "relay-1"})
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  CommandService reader(*log_);
  ASSERT_TRUE(reader
                  .Read([&](const DomainState& s) {
                    const AgentState* a2 = s.FindAgent("a2");
                    ASSERT_NE(a2, nullptr);
                    EXPECT_TRUE(s.Holds(*a2, s.fingerprints.Find(kNew)));
                    EXPECT_FALSE(s.Holds(*a2, s.fingerprints.Find(kOld)));
                  })
                  .ok());
  // Every recorded report is newer than the one before it.
  Time previous{};
  for (const Event& e : StreamEvents("agent-a2")) {
    Time at = std::get<AgentInventoryReported>(e).reported_at;
    EXPECT_GT(at, previous);
    previous = at;
  }
}

}  // namespace
}  // namespace rotor::domain::testing
