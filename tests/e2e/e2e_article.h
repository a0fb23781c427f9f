// The article's replacement, driven through rotorctl against a real rotord:
// 2500 agents report (2393 hold the old web certificate, 107 do not), the
// replacement is initiated with `rotorctl replace --new new.pem`, 2076
// agents receive the new certificate ("2076 of 2393"), finalize is refused
// with the numbers, 300 more receive it, 17 go silent, are flagged stale and
// deleted, and the finalize goes through. Test-only.
#pragma once

#include <string>

#include "tests/e2e/e2e_fixture.h"

namespace rotor::testing {

inline constexpr char kRollout[] = "web-2026-11";
inline constexpr int kHolders = 2393;
inline constexpr int kOthers = 107;
inline constexpr int kReceivedFirst = 2076;
inline constexpr int kReceivedLater = 300;
inline constexpr int kSilent = kHolders - kReceivedFirst - kReceivedLater;  // 17

class ArticleTest : public E2eTest {
 protected:
  // Newline-delimited reports of the fleet's first inventory.
  std::string InventoryReports() const;
  // Reports of agents [from, to) holding both certificates at `base` + i s.
  std::string ReceivedReports(int from, int to, const std::string& prefix,
                              const std::string& base) const;

  // Up to the refused finalize: clock, registration, inventory, replace,
  // 2076 received. Asserts each step.
  void RunUntilRefusal();
  // The rest: 300 received, 17 silent flagged stale and deleted, finalized.
  void RunToFinalize();
};

}  // namespace rotor::testing
