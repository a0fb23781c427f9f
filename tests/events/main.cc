// The test binary's main (replaces gtest_main). Besides running the tests, it
// is the crash test's appender child when started with kCrashChildFlag.
#include <gtest/gtest.h>

#include <string_view>

#include "tests/events/crash_child.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == rotor::testing::kCrashChildFlag) {
    return rotor::testing::CrashChildMain(argc, argv);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
