// Target: every API request body, through the route table. Requests go to a
// real Engine (services/app) on a temporary data directory (RocksDB event
// log and projection store, fsync off, a CEM CA configured so that CSRs are
// parsed and signed), as an admin, so that each route's JSON body parser,
// its field checks and the command behind it all run; the log grows with
// what is accepted. Bad input must get a 4xx whose body is a JSON error, and
// nothing may crash or answer 5xx.
//
// Input: "METHOD /path?query" on the first line, the body after it.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "services/app/engine.h"
#include "services/ca/generate.h"
#include "tests/fuzz/fuzz_util.h"

namespace rotor::app {
namespace {

constexpr int64_t kNow = 1798761600;  // 2027-01-01T00:00:00Z

Time Now() { return TimeFromMicros(kNow * 1000000); }

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  FUZZ_CHECK(out.good());
}

// The engine and its directory, for the whole run; removed at exit.
struct Harness {
  Harness() {
    char tmpl[] = "/tmp/rotor-fuzz-api-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    auto ca = ca::GenerateSelfSignedCa("Rotor Fuzz CA", Now() - std::chrono::days(1),
                                       Now() + std::chrono::days(3650));
    FUZZ_CHECK(ca.ok());
    WriteFile(dir / "ca.pem", ca->first);
    WriteFile(dir / "ca.key", ca->second);
    EngineOptions options;
    options.data_dir = (dir / "data").string();
    options.ca_cert_path = (dir / "ca.pem").string();
    options.ca_key_path = (dir / "ca.key").string();
    options.clock = [] { return Now(); };
    options.sync = false;
    options.max_body_bytes = 64 << 10;
    Result<std::unique_ptr<Engine>> opened = Engine::Open(options);
    FUZZ_CHECK(opened.ok());
    engine = std::move(*opened);
  }
  ~Harness() {
    engine.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  std::unique_ptr<Engine> engine;
};

Harness& TheHarness() {
  // Never destroyed: closing the engine at exit would run after the main
  // thread's thread_local state (its SHA-256 context) is gone.
  static Harness& harness = *new Harness;
  return harness;
}

// "METHOD /path?a=1&b=2" into `request`; false when the line has no space.
bool ParseRequestLine(std::string_view line, ApiRequest* request) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return false;
  request->method = std::string(line.substr(0, space));
  std::string_view target = line.substr(space + 1);
  size_t question = target.find('?');
  request->path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return true;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    size_t eq = pair.find('=');
    request->query[std::string(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
  }
  return true;
}

}  // namespace
}  // namespace rotor::app

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rotor::app;
  std::string_view input = rotor::fuzz::Bytes(data, size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return -1;  // not added to the corpus
  ApiRequest request;
  if (!ParseRequestLine(input.substr(0, newline), &request)) return -1;
  request.body = std::string(input.substr(newline + 1));
  request.principal = Principal{"fuzz-admin", Role::kAdmin, ""};

  ApiResponse response = TheHarness().engine->Handle(request);
  FUZZ_CHECK(response.status >= 200 && response.status < 500);
  if (response.content_type == "application/json") {
    FUZZ_CHECK(nlohmann::json::accept(response.body));
  }
  return 0;
}
