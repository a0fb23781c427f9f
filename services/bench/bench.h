// rotor-bench's subcommands. Each lives in its own .cc file and is listed in
// main.cc's kSubcommands with one line.
//
// A subcommand's Add function declares its options on the CLI11 subcommand it
// is given and returns the function that runs the benchmark once the command
// line has been parsed; that function returns the process exit code.
#pragma once

#include <functional>

namespace CLI {
class App;
}  // namespace CLI

namespace rotor::bench {

using Runner = std::function<int()>;
using AddSubcommand = Runner (*)(CLI::App* command);

// `rotor-bench log`: the event log against raw RocksDB (services/bench/log_bench.cc).
Runner AddLogBench(CLI::App* command);
// `rotor-bench replay`: projection rebuild against raw iteration (services/bench/replay_bench.cc).
Runner AddReplayBench(CLI::App* command);
// `rotor-bench history`: as-of queries from projection snapshots against a
// fold from zero, and Merkle proofs (services/bench/history_bench.cc).
Runner AddHistoryBench(CLI::App* command);
// `rotor-bench kafka`: the Kafka bridges against raw librdkafka loops
// (services/bench/kafka_bench.cc).
Runner AddKafkaBench(CLI::App* command);
// `rotor-bench ingest`: POST /v1/reports:batch against the raw durable write
// of the same reports (services/bench/ingest_bench.cc).
Runner AddIngestBench(CLI::App* command);
// `rotor-bench stream`: live-stream subscribers against API latency and
// update lag (services/bench/stream_bench.cc).
Runner AddStreamBench(CLI::App* command);
// `rotor-bench node`: the real rotord process at fleet scale: start time,
// memory, request latency against fleet size (services/bench/node_bench.cc).
Runner AddNodeBench(CLI::App* command);

}  // namespace rotor::bench
