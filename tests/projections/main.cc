// The test binary's main (replaces gtest_main). Besides running the tests, it
// is the kill test's runner child when started with kKillChildFlag.
#include <gtest/gtest.h>

#include <string_view>

#include "tests/projections/kill_child.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == rotor::projections::testing::kKillChildFlag) {
    return rotor::projections::testing::KillChildMain(argc, argv);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
