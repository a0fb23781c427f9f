// Helpers shared by the libFuzzer targets of tests/fuzz (docs/fuzzing.md).
// Test-only.
#pragma once

#include <google/protobuf/stubs/logging.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace rotor::fuzz {

// The input as bytes.
inline std::string_view Bytes(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Silences Rotor's and protobuf's logs (protobuf logs each string field that
// is not UTF-8): a target prints nothing per input.
inline void QuietLogs() {
  spdlog::set_level(spdlog::level::off);
  google::protobuf::SetLogHandler(nullptr);
}

// Reports a broken invariant and aborts, which libFuzzer records as a crash
// (the input is saved as crash-<sha1>).
[[noreturn]] inline void Fail(const char* file, int line, const char* what) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::abort();
}

}  // namespace rotor::fuzz

// FUZZ_CHECK(condition): the invariant holds for every input.
#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::rotor::fuzz::Fail(__FILE__, __LINE__, #cond))
