// The Kafka relay's checkpoint file under power loss: Store() is called again
// and again on a PowerLossFileSystem that stops at a random file operation
// (inside the temporary file's write or fsync, the rename, the directory's
// fsync) and drops what was not synced. After each crash the file must load
// (never torn, never missing once a Store succeeded) and hold the last
// position whose Store returned success, or the one being stored at the crash.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "base/hash.h"
#include "services/kafka/relay_checkpoint.h"
#include "tests/powerloss/power_loss_util.h"

namespace rotor::kafka {
namespace {

using rotor::testing::PowerLossEnv;
using rotor::testing::PowerLossSeed;
using rotor::testing::TempDir;

constexpr int kRounds = 20;
constexpr int kCrashesPerRound = 5;
constexpr uint64_t kStoresPerCrash = 6;

RelayPosition PositionAt(uint64_t sequence) {
  return {sequence, Sha256("event " + std::to_string(sequence))};
}

TEST(RelayCheckpointPowerLossTest, HoldsTheLastStoredPositionAfterACrash) {
  unsigned seed = PowerLossSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (ROTOR_POWERLOSS_SEED reruns it)");
  std::mt19937 rng(seed);
  // A Store is 5 operations: create, write, fsync, rename, directory fsync.
  std::uniform_int_distribution<uint64_t> crash_point(1, 5 * kStoresPerCrash);
  uint64_t total_stored = 0;
  for (int round = 0; round < kRounds; ++round) {
    TempDir dir;
    PowerLossEnv fault(dir);
    std::string path = dir.Sub("relay.checkpoint");
    uint64_t stored = 0;  // the last sequence whose Store returned success
    for (int crash = 0; crash < kCrashesPerRound; ++crash) {
      uint64_t point = crash_point(rng);
      SCOPED_TRACE("round " + std::to_string(round) + " crash " + std::to_string(crash) +
                   " at operation " + std::to_string(point));
      fault.fs->CrashAfter(point);
      RelayCheckpointFile file(path, fault.fs);
      uint64_t attempted = stored;
      for (uint64_t i = 0; i < kStoresPerCrash; ++i) {
        attempted = stored + 1;
        if (!file.Store(PositionAt(attempted)).ok()) break;
        stored = attempted;
      }
      fault.fs->Crash();
      ASSERT_TRUE(fault.fs->DropUnsynced().ok());
      auto loaded = RelayCheckpointFile(path, fault.fs).Load();
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
      EXPECT_GE(loaded->sequence, stored) << "a stored position was lost";
      EXPECT_LE(loaded->sequence, attempted) << "a position that was never stored";
      if (loaded->sequence > 0) {
        EXPECT_EQ(*loaded, PositionAt(loaded->sequence));
      }
      if (HasFailure()) return;
      stored = loaded->sequence;
    }
    total_stored += stored;
  }
  EXPECT_GT(total_stored, uint64_t{0}) << "no crash point left room for a Store";
}

}  // namespace
}  // namespace rotor::kafka
