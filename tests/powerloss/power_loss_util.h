// Helpers for the power-loss tests: the seed and a PowerLossFileSystem with
// its Env in a test's temporary directory. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "tests/testing/power_loss_fs.h"
#include "tests/testing/temp_dir.h"

namespace rotor::testing {

// $ROTOR_POWERLOSS_SEED when set (to rerun a failure), else a random seed.
inline unsigned PowerLossSeed() {
  const char* text = std::getenv("ROTOR_POWERLOSS_SEED");
  if (text != nullptr && *text != '\0')
    return static_cast<unsigned>(std::strtoul(text, nullptr, 10));
  return std::random_device()();
}

// A PowerLossFileSystem keeping its shadow copies in `dir`/shadow, and an Env on it.
struct PowerLossEnv {
  explicit PowerLossEnv(const TempDir& dir) {
    std::string shadow = dir.Sub("shadow");
    EXPECT_EQ(::mkdir(shadow.c_str(), 0755), 0) << shadow;
    fs = std::make_shared<PowerLossFileSystem>(shadow);
    env = rocksdb::NewCompositeEnv(fs);
  }
  std::shared_ptr<PowerLossFileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
};

}  // namespace rotor::testing
