// Helpers shared by rotor-bench's subcommands: a scratch directory, a clock,
// rates and a flat JSON object writer. Thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace rotor::bench {

// A directory made with mkdtemp; it and everything in it is removed when the
// TempDir is destroyed.
class TempDir {
 public:
  // Creates "<base>/rotor-bench-XXXXXX"; an empty `base` means $TMPDIR or /tmp.
  // Errors: kIoError naming the path.
  static Result<std::unique_ptr<TempDir>> Create(std::string_view base);
  // An existing directory, kept when the TempDir is destroyed. Errors:
  // kNotFound when `path` is not a directory.
  static Result<std::unique_ptr<TempDir>> Existing(const std::string& path);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // "<path>/<name>".
  std::string Sub(std::string_view name) const;
  // Leaves the directory in place when the TempDir is destroyed.
  void Keep() { keep_ = true; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool keep_ = false;
};

// CPU seconds used by the calling thread (a figure that contention on a
// shared machine distorts less than wall-clock time).
double ThreadCpuSeconds();

// CPU seconds used by this process, every thread.
double ProcessCpuSeconds();

// The whole machine's CPU (/proc/stat): busy seconds summed over every core
// (all but idle and I/O wait), and the number of cores. Zeros where
// /proc/stat cannot be read. Two readings apart give what every process,
// a broker on the same machine included, used in between.
struct MachineCpu {
  double busy_seconds = 0;
  int cores = 0;
};
MachineCpu ReadMachineCpu();

// Wall-clock seconds since construction (steady clock).
class Stopwatch {
 public:
  Stopwatch()
      : start_(std::chrono::steady_clock::now()), cpu_start_(rotor::bench::ThreadCpuSeconds()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  // CPU seconds the calling thread used since construction (on the thread
  // that constructed it): on a shared machine, what the work cost apart
  // from waiting for a CPU.
  double ThreadCpuSeconds() const { return rotor::bench::ThreadCpuSeconds() - cpu_start_; }

 private:
  std::chrono::steady_clock::time_point start_;
  double cpu_start_;
};

inline double PerSecond(uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

// The `q` quantile (0 to 1) of `v` by rank; 0 for an empty `v`.
double Percentile(std::vector<double> v, double q);

// Builds one JSON object with keys in insertion order. Keys and string values
// are escaped.
class JsonObject {
 public:
  JsonObject& Add(std::string_view key, double value);
  JsonObject& Add(std::string_view key, uint64_t value);
  JsonObject& Add(std::string_view key, bool value);
  JsonObject& Add(std::string_view key, std::string_view value);
  // Nests `value` (already a JSON object) under `key`.
  JsonObject& AddObject(std::string_view key, const JsonObject& value);
  std::string ToString() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;  // key, JSON text of the value
};

}  // namespace rotor::bench
