// The check shared by the crash tests (SIGKILL: rocksdb_crash_test.cc; power
// loss: tests/powerloss/event_log_power_loss_test.cc): appenders write
// deterministic payloads to streams "crash-<thread>", record each append that
// returned success as a CrashReport, and after the crash the reopened log
// must hold all of them, whole, from sequence 1 without a gap, with a hash
// chain that verifies. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "events/verify.h"
#include "tests/events/crash_child.h"
#include "tests/events/event_log_test_util.h"

namespace rotor::testing {

inline std::string CrashStream(uint64_t thread) { return "crash-" + std::to_string(thread); }

// The payload of `stream`'s event at `version`: deterministic, so every
// recovered event can be checked, reported or not.
inline std::string CrashPayload(const std::string& stream, uint64_t version) {
  std::string p = stream + "@" + std::to_string(version) + ":";
  p.resize(96, static_cast<char>('a' + version % 26));
  return p;
}

// An append of 1 + v % 3 events to `stream` at expected version `v`.
inline AppendRequest CrashAppend(const std::string& stream, uint64_t v) {
  AppendRequest request;
  request.stream_id = stream;
  request.expected = ExpectedVersion::Exact(v);
  for (uint64_t i = 1; i <= 1 + v % 3; ++i) {
    request.events.push_back(TestEvent(CrashPayload(stream, v + i)));
  }
  return request;
}

// Checks the recovered `log` against `reports` (appends that returned success
// after the log held `head_before` events).
inline void CheckRecoveredLog(const EventLog& log, uint64_t head_before,
                              const std::vector<CrashReport>& reports) {
  for (const CrashReport& r : reports) {
    ASSERT_LE(r.first_sequence, r.last_sequence);
    ASSERT_GT(r.first_sequence, head_before) << "a report of this round names an old sequence";
    ASSERT_LE(r.last_sequence, log.Head()) << "a reported append was lost";
    for (uint64_t seq = r.first_sequence; seq <= r.last_sequence; ++seq) {
      RecordedEvent e;
      ASSERT_OK(log.ReadOne(seq, &e));
      uint64_t version = r.stream_version - (r.last_sequence - seq);
      EXPECT_EQ(e.stream_id, CrashStream(r.thread)) << "sequence " << seq;
      EXPECT_EQ(e.stream_version, version) << "sequence " << seq;
      EXPECT_EQ(e.payload, CrashPayload(e.stream_id, version)) << "sequence " << seq;
    }
  }
  // Every recovered event, reported or not, is whole and in its stream's order.
  std::map<std::string, uint64_t> versions;
  uint64_t expected_sequence = 1;
  ASSERT_OK(log.ForEach(1, [&](const RecordedEvent& e) {
    EXPECT_EQ(e.sequence, expected_sequence++);
    uint64_t& v = versions[e.stream_id];
    EXPECT_EQ(e.stream_version, ++v) << "sequence " << e.sequence;
    EXPECT_EQ(e.payload, CrashPayload(e.stream_id, e.stream_version)) << "sequence " << e.sequence;
    return !::testing::Test::HasFailure();
  }));
  EXPECT_EQ(expected_sequence, log.Head() + 1);
  for (const auto& [stream, version] : versions) {
    EXPECT_EQ(*log.StreamVersion(stream), version) << stream;
  }
  auto report = Verify(log);
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << "first bad sequence " << report->first_bad_sequence << ": "
                          << report->problem;
  EXPECT_EQ(report->events, log.Head());
}

}  // namespace rotor::testing
