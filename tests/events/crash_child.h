// The crash test's appender child. The test re-executes this binary with
// kCrashChildFlag so that the child starts as a clean process (no threads or
// RocksDB state inherited from earlier tests), appends until it is killed,
// and reports each successful append over a pipe. Test-only.
#pragma once

#include <cstdint>

namespace rotor::testing {

inline constexpr char kCrashChildFlag[] = "--rotor-crash-child";

// One report per successful Append, written to the pipe in one write() (so
// writes from several threads never interleave).
struct CrashReport {
  uint64_t first_sequence;
  uint64_t last_sequence;
  uint64_t stream_version;  // after the append
  uint64_t thread;          // the appender's stream is "crash-<thread>"
};

// argv: <binary> kCrashChildFlag <log directory> <pipe fd> <threads>.
// Never returns normally; exits non-zero on any failure.
int CrashChildMain(int argc, char** argv);

}  // namespace rotor::testing
