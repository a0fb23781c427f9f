#include "services/bench/bench_util.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rotor::bench {
namespace {

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

Result<std::unique_ptr<TempDir>> TempDir::Create(std::string_view base) {
  std::string root(base);
  if (root.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    root = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string pattern = root + "/rotor-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::IoError("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  return std::unique_ptr<TempDir>(new TempDir(pattern));
}

Result<std::unique_ptr<TempDir>> TempDir::Existing(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    return Status::NotFound(path + " is not a directory");
  }
  auto dir = std::unique_ptr<TempDir>(new TempDir(path));
  dir->Keep();
  return dir;
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  if (ec) spdlog::warn("removing {}: {}", path_, ec.message());
}

std::string TempDir::Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

MachineCpu ReadMachineCpu() {
  MachineCpu cpu;
  std::ifstream stat("/proc/stat");
  std::string line;
  while (std::getline(stat, line) && line.starts_with("cpu")) {
    if (line.size() > 3 && line[3] != ' ') {
      ++cpu.cores;  // "cpuN ..."
      continue;
    }
    // cpu user nice system idle iowait irq softirq steal, in clock ticks.
    std::istringstream fields(line.substr(3));
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    fields >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    cpu.busy_seconds = static_cast<double>(user + nice + system + irq + softirq + steal) / ticks;
  }
  return cpu;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

JsonObject& JsonObject::Add(std::string_view key, double value) {
  fields_.emplace_back(key, std::isfinite(value) ? fmt::format("{:.4f}", value) : "null");
  return *this;
}

JsonObject& JsonObject::Add(std::string_view key, uint64_t value) {
  fields_.emplace_back(key, std::to_string(value));
  return *this;
}

JsonObject& JsonObject::Add(std::string_view key, bool value) {
  fields_.emplace_back(key, value ? "true" : "false");
  return *this;
}

JsonObject& JsonObject::Add(std::string_view key, std::string_view value) {
  fields_.emplace_back(key, Quote(value));
  return *this;
}

JsonObject& JsonObject::AddObject(std::string_view key, const JsonObject& value) {
  fields_.emplace_back(key, value.ToString());
  return *this;
}

std::string JsonObject::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out += ",";
    out += Quote(fields_[i].first) + ":" + fields_[i].second;
  }
  out += "}";
  return out;
}

}  // namespace rotor::bench
