// RocksDbLogTest: a fixture for the command service over the real RocksDB
// event log in a temporary directory, opened before each test. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "events/rocksdb_event_log.h"
#include "tests/services/domain/domain_test_util.h"
#include "tests/testing/temp_dir.h"

namespace rotor::domain::testing {

class RocksDbLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = RocksDbEventLog::Open(dir_.Sub("log"));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }

  // The report ids of `agent`'s AgentInventoryReported events, in stream order.
  std::vector<std::string> StreamReportIds(const std::string& agent) {
    return ReportIdsOf(*log_, agent);
  }

  rotor::testing::TempDir dir_;
  std::unique_ptr<RocksDbEventLog> log_;
};

}  // namespace rotor::domain::testing
