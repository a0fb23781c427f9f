// rotor-bench: Rotor's benchmarks. `rotor-bench <subcommand> --help` lists a
// subcommand's options; `--json` makes every subcommand print one JSON object
// on stdout. Logs go to stderr.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <utility>
#include <vector>

#include "base/allocator.h"
#include "services/bench/bench.h"

namespace {

struct Subcommand {
  const char* name;
  const char* description;
  rotor::bench::AddSubcommand add;
};

// One line per subcommand.
constexpr Subcommand kSubcommands[] = {
    {"log", "event log append and read throughput against raw RocksDB", &rotor::bench::AddLogBench},
    {"replay", "projection rebuild from the log against raw iteration",
     &rotor::bench::AddReplayBench},
    {"history", "as-of queries from projection snapshots, and Merkle proofs",
     &rotor::bench::AddHistoryBench},
    {"kafka", "Kafka bridges against raw librdkafka loops", &rotor::bench::AddKafkaBench},
    {"ingest", "HTTP batch report ingest against the raw durable write",
     &rotor::bench::AddIngestBench},
    {"stream", "live-stream subscribers: API latency and update lag",
     &rotor::bench::AddStreamBench},
    {"node", "one rotord process at fleet scale: start time, memory, latency against fleet size",
     &rotor::bench::AddNodeBench},
};

}  // namespace

int main(int argc, char** argv) {
  rotor::TuneAllocatorForServer();  // the allocator and its settings of rotord
  spdlog::set_default_logger(spdlog::stderr_color_mt("rotor-bench"));
  spdlog::info("allocator: {}", rotor::AllocatorName());
  CLI::App app{"rotor-bench: Rotor performance benchmarks"};
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, rotor::bench::Runner>> commands;
  for (const Subcommand& s : kSubcommands) {
    CLI::App* command = app.add_subcommand(s.name, s.description);
    commands.emplace_back(command, s.add(command));
  }
  CLI11_PARSE(app, argc, argv);
  for (auto& [command, run] : commands) {
    if (command->parsed()) return run();
  }
  spdlog::error("no subcommand given");
  return 2;
}
