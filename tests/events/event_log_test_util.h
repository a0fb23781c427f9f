// Shared helpers for the event log tests: status assertions, request
// builders, and the typed fixture that runs one test body against every
// EventLog implementation (MemoryEventLog, and RocksDbEventLog in a fresh
// temporary directory). Test-only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "events/event_log.h"
#include "events/memory_event_log.h"
#include "events/rocksdb_event_log.h"
#include "tests/events/test_printers.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

#define ASSERT_OK(expr)                                                            \
  do {                                                                             \
    const auto& rotor_s_ = (expr);                                                 \
    ASSERT_TRUE(rotor_s_.ok()) << ::rotor::testing::StatusOf(rotor_s_).ToString(); \
  } while (false)
#define EXPECT_OK(expr)                                                            \
  do {                                                                             \
    const auto& rotor_s_ = (expr);                                                 \
    EXPECT_TRUE(rotor_s_.ok()) << ::rotor::testing::StatusOf(rotor_s_).ToString(); \
  } while (false)

// A fixed time for recorded_at: 2026-11-01T00:00:00Z plus `offset_us`.
inline Time TestTime(int64_t offset_us = 0) {
  return TimeFromMicros(int64_t{1793491200} * 1000000 + offset_us);
}

// An event whose payload is `payload` (the log never interprets payloads).
inline NewEvent TestEvent(std::string payload, std::string type = "test.Recorded") {
  return NewEvent{std::move(type), std::move(payload), TestTime(), "tester", "corr-1", "cause-1"};
}

inline AppendRequest Request(std::string stream, ExpectedVersion expected,
                             const std::vector<std::string>& payloads,
                             std::string idempotency_key = {}) {
  AppendRequest r;
  r.stream_id = std::move(stream);
  r.expected = expected;
  for (const std::string& p : payloads) r.events.push_back(TestEvent(p));
  r.idempotency_key = std::move(idempotency_key);
  return r;
}

// Every published event, forward from sequence 1.
inline std::vector<RecordedEvent> ReadAll(const EventLog& log) {
  std::vector<RecordedEvent> out;
  Status s = log.Read(1, Direction::kForward, 1u << 30, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

inline std::vector<uint64_t> SequencesOf(const std::vector<RecordedEvent>& events) {
  std::vector<uint64_t> out;
  for (const RecordedEvent& e : events) out.push_back(e.sequence);
  return out;
}

inline std::vector<std::string> PayloadsOf(const std::vector<RecordedEvent>& events) {
  std::vector<std::string> out;
  for (const RecordedEvent& e : events) out.push_back(e.payload);
  return out;
}

// How each implementation is opened for a test.
template <typename Log>
struct LogFactory;

template <>
struct LogFactory<MemoryEventLog> {
  static std::unique_ptr<EventLog> Open(const TempDir&) {
    return std::make_unique<MemoryEventLog>();
  }
};

template <>
struct LogFactory<RocksDbEventLog> {
  static std::unique_ptr<EventLog> Open(const TempDir& dir) {
    auto log = RocksDbEventLog::Open(dir.Sub("log"));
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    if (!log.ok()) return nullptr;
    return std::move(log).value();
  }
};

// The typed fixture: `log()` is a fresh, empty log of type `Log`.
template <typename Log>
class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = LogFactory<Log>::Open(dir_);
    ASSERT_NE(log_, nullptr);
  }
  EventLog& log() { return *log_; }

  TempDir dir_;  // declared first: outlives the log
  std::unique_ptr<EventLog> log_;
};

using EventLogImplementations = ::testing::Types<MemoryEventLog, RocksDbEventLog>;

struct EventLogName {
  template <typename T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, MemoryEventLog>) return "Memory";
    return "RocksDb";
  }
};

}  // namespace rotor::testing
