// The kill test's runner child. The test re-executes this binary with
// kKillChildFlag so the child starts as a clean process (no threads or
// RocksDB state inherited from earlier tests). The child follows the RocksDB
// log with the fleet, audit and counting runners (tiny batches) and reports
// every commit over a pipe until it is killed or caught up. Test-only.
#pragma once

#include <cstdint>

namespace rotor::projections::testing {

inline constexpr char kKillChildFlag[] = "--rotor-projection-kill-child";

// One report per commit, written with one write().
struct CommitReport {
  uint64_t sequence;
  uint64_t projection;  // 0 fleet, 1 audit, 2 counting
};

// argv: <binary> kKillChildFlag <log dir> <store dir> <pipe fd> <batch size>.
// Returns the process exit code (0 when both projections reached the head).
int KillChildMain(int argc, char** argv);

}  // namespace rotor::projections::testing
