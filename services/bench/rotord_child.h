// RotordChild: the real `rotord` binary run as a child process of
// rotor-bench, so that a benchmark measures the daemon an operator runs
// (its start time, its resident memory) rather than an Engine linked into
// the benchmark. rotord prints `listening on URL` on stdout once bound; Start
// reads that line from a pipe, then asks GET /healthz, so "started" means
// "answers requests".
//
// Ownership: owns the child; the destructor kills it (SIGKILL) when it is
// still running. Thread safety: thread-compatible.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rotor::bench {

class RotordChild {
 public:
  // Runs `binary` with `args` (plain HTTP: the args should hold `--listen
  // 127.0.0.1:0`), its stdout on a pipe and its stderr appended to
  // `log_path`, and waits until it listens and GET /healthz answers 200.
  // Errors: kIoError when the pipe or fork fails, or when rotord exits or
  // prints something else before listening (with the end of its log);
  // kInternal when /healthz does not answer 200.
  static Result<std::unique_ptr<RotordChild>> Start(const std::string& binary,
                                                    const std::vector<std::string>& args,
                                                    const std::string& log_path);
  ~RotordChild();
  RotordChild(const RotordChild&) = delete;
  RotordChild& operator=(const RotordChild&) = delete;

  // Sends SIGTERM and waits. Errors: kInternal when rotord does not exit 0.
  Status Terminate();
  // Sends SIGKILL and waits.
  void Kill();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Seconds from fork to the `listening on` line, and to /healthz's 200.
  double listen_seconds() const { return listen_s_; }
  double ready_seconds() const { return ready_s_; }
  // A `kB` line of /proc/PID/status (e.g. "VmRSS", "VmHWM") in bytes.
  // Errors: kIoError when the file cannot be read; kNotFound for a field it
  // does not have.
  Result<uint64_t> StatusBytes(std::string_view field) const;
  // rotord's CPU time so far (user + system, all threads), in seconds, from
  // /proc/PID/stat. Errors: kIoError when the file cannot be read or parsed.
  Result<double> CpuSeconds() const;
  // Waits until rotord is idle: its CPU time grows by less than `share` of
  // one core over each of two consecutive `window`s (background work after
  // a bulk ingest, such as RocksDB compactions and snapshots, has settled),
  // or until `timeout`. Returns the seconds waited (about `timeout` when it
  // never settled). Errors: as CpuSeconds.
  Result<double> WaitUntilIdle(double share, std::chrono::milliseconds window,
                               std::chrono::seconds timeout) const;

 private:
  RotordChild() = default;
  // Reaps the child; returns its wait status.
  int Wait();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  double listen_s_ = 0;
  double ready_s_ = 0;
};

// The rotord binary beside the running executable (build/bin/rotord beside
// build/bin/rotor-bench).
std::string RotordBesideSelf();

// Sum of the sizes of the files named *.log directly in `dir` (RocksDB's
// write-ahead logs); 0 when `dir` does not exist.
uint64_t WalBytes(const std::string& dir);

}  // namespace rotor::bench
