// Whole-file helpers for tests: ReadFile and WriteFile. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace rotor::testing {

// The bytes of `path`; empty when it is missing or unreadable.
inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Writes `text` to `path`, replacing it; a failure fails the test.
inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  ASSERT_TRUE(f.flush()) << "cannot write " << path;
}

}  // namespace rotor::testing
