// `rotor-bench kafka`: Rotor's Kafka bridges against a real broker, each next
// to a raw librdkafka loop doing the same Kafka work.
//
//   publish: EventRelay publishing `--events` events from a RocksDB log
//            (read, EncodeEnvelope, produce, delivery reports, checkpoint)
//            vs a raw producer loop with the relay's settings (idempotent,
//            acks=all, murmur2 partitioner) and the same keys, values and
//            headers, encoded beforehand. Best of `--rounds` for each side.
//   ingest:  `--reports` protobuf AgentReports (one agent each) on a topic:
//            ReportConsumer -> CommandService::ExecuteBatch of IngestAgentReport
//            -> durable events -> a FleetProjection committed by a
//            ProjectionRunner, timed until the projection's checkpoint is the
//            last event; vs a raw consumer-group loop reading the same topic,
//            and vs the raw durable pipe (kafka_raw.h: each polled batch's
//            message bytes in one synced RocksDB WriteBatch, then the offsets
//            committed), the minimum durable work per report. The raw
//            consumers prefetch up to librdkafka's byte bound
//            (RawConsumerClient).
// Without `--brokers` it starts a broker with docker/kafka/kafka.sh (with the
// optimizing JIT) in the scratch directory and stops it at the end.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "events/codec.h"
#include "events/rocksdb_event_log.h"
#include "projections/fleet_projection.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "services/bench/bench.h"
#include "services/bench/bench_util.h"
#include "services/bench/kafka_raw.h"
#include "services/kafka/event_relay.h"
#include "services/kafka/report_consumer.h"
#include "services/kafka/topic_admin.h"

namespace rotor::bench {
namespace {

using kafka::ClientSettings;

struct KafkaBenchOptions {
  std::string brokers;
  uint64_t events = 200000;
  uint64_t reports = 20000;
  int partitions = 3;
  size_t batch = 5000;
  int rounds = 4;
  size_t read_ahead = 0;
  std::string dir;
  bool json = false;
};

// What a phase of the benchmark cost in CPU, a report: this process's
// threads, and every process of the machine (the broker's too).
struct CpuCost {
  double process_us = 0;
  double machine_us = 0;
  double machine_busy = 0;  // of every core, over the phase
  int cores = 0;
  // Reports a second at which this cost would keep every core busy.
  double Bound() const { return machine_us > 0 ? cores * 1e6 / machine_us : 0.0; }
};

// Starts measuring at construction.
class CpuMeter {
 public:
  CpuCost PerReport(uint64_t reports, double seconds) const {
    MachineCpu machine = ReadMachineCpu();
    auto n = static_cast<double>(reports);
    CpuCost c;
    c.process_us = (ProcessCpuSeconds() - process_) * 1e6 / n;
    c.machine_us = (machine.busy_seconds - machine_.busy_seconds) * 1e6 / n;
    c.cores = machine.cores;
    if (seconds > 0 && machine.cores > 0) {
      c.machine_busy = (machine.busy_seconds - machine_.busy_seconds) / (seconds * machine.cores);
    }
    return c;
  }

 private:
  MachineCpu machine_ = ReadMachineCpu();
  double process_ = ProcessCpuSeconds();
};

struct Figures {
  double publish = 0, raw_produce = 0, ingest = 0, raw_consume = 0, raw_consume_after_join = 0;
  double raw_durable_pipe = 0;
  CpuCost ingest_cpu, raw_pipe_cpu;
  uint64_t group_commits = 0, grouped_requests = 0;
};

constexpr double kIngestTarget = 0.5;    // x raw_durable_pipe_per_s
constexpr double kIngestFloor = 200000;  // reports/s
constexpr double kPublishTarget = 0.7;

// Waits until `done`, checking every millisecond. Errors: kDeadlineExceeded.
Status Await(const std::function<bool()>& done, std::string_view what) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::DeadlineExceeded(std::string(what) + " did not finish in 30 minutes");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

// Runs a kafka.sh command; returns its stdout. Errors: kIoError.
Result<std::string> KafkaSh(const std::string& args) {
  std::string command = std::string(ROTOR_SOURCE_DIR) + "/docker/kafka/kafka.sh " + args;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return Status::IoError("cannot run " + command);
  std::string out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) out.append(buffer, n);
  if (pclose(pipe) != 0) return Status::IoError(command + " failed");
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

Status PublishPhase(const KafkaBenchOptions& o, const ClientSettings& client, TempDir& dir,
                    Figures* f) {
  auto log = RocksDbEventLog::Open(dir.Sub("publish-log"));
  if (!log.ok()) return log.status();
  const std::string fp(64, 'a');
  Time base = TimeFromMicros(int64_t{1793491200000000});
  for (uint64_t done = 0, n = 0; done < o.events; ++n) {
    AppendRequest request;
    request.stream_id = "agent-" + std::to_string(n % 1000);
    for (size_t i = 0; i < 1000 && done < o.events; ++i, ++done) {
      Time at = base + std::chrono::milliseconds(done);
      request.events.push_back(MakeNewEvent(
          AgentInventoryReported{
              "r-" + std::to_string(done), request.stream_id, at, {fp}, "gw-1", "site-1", true},
          at, "agent:" + request.stream_id));
    }
    auto appended = (*log)->Append(std::move(request));
    if (!appended.ok()) return appended.status();
  }
  std::vector<Outgoing> messages;
  messages.reserve(o.events);
  ROTOR_RETURN_IF_ERROR((*log)->ForEach(1, [&](const RecordedEvent& e) {
    messages.push_back({e.stream_id, EncodeEnvelope(e), e.event_type, std::to_string(e.sequence),
                        ToMicros(e.recorded_at) / 1000});
    return true;
  }));
  for (int round = 0; round < o.rounds; ++round) {
    std::string raw_topic = "bench.events.raw." + Suffix();
    std::string relay_topic = "bench.events.relay." + Suffix();
    ROTOR_RETURN_IF_ERROR(kafka::EnsureTopic(client, raw_topic, o.partitions));
    ROTOR_RETURN_IF_ERROR(kafka::EnsureTopic(client, relay_topic, o.partitions));
    // Alternate which side goes first, so that neither always gets the
    // broker warmer (JIT, page cache).
    Result<double> raw = 0.0;
    if (round % 2 == 0) raw = RawProduce(client, raw_topic, messages);
    if (!raw.ok()) return raw.status();
    kafka::EventRelayOptions relay_options;
    relay_options.client = client;
    relay_options.topic = relay_topic;
    relay_options.read_ahead = o.read_ahead;
    relay_options.checkpoint_path = dir.Sub("relay-checkpoint-" + std::to_string(round));
    auto relay = kafka::EventRelay::Create(**log, relay_options);
    if (!relay.ok()) return relay.status();
    Stopwatch clock;
    (*relay)->Start();
    ROTOR_RETURN_IF_ERROR(Await(
        [&] { return (*relay)->acknowledged() == o.events || !(*relay)->status().ok(); }, "relay"));
    double seconds = clock.Seconds();
    (*relay)->Stop();
    ROTOR_RETURN_IF_ERROR((*relay)->status());
    if (round % 2 == 1) raw = RawProduce(client, raw_topic, messages);
    if (!raw.ok()) return raw.status();
    f->raw_produce = std::max(f->raw_produce, PerSecond(o.events, *raw));
    f->publish = std::max(f->publish, PerSecond(o.events, seconds));
    spdlog::info("publish round {}: raw {:.0f}/s, relay {:.0f}/s", round + 1,
                 PerSecond(o.events, *raw), PerSecond(o.events, seconds));
  }
  return Status::Ok();
}

// The raw consumers' settings: the report consumer's, with a prefetch queue
// bounded by its bytes alone. librdkafka 2.0 stops fetching once 100,000
// messages (queued.min.messages) wait in its queue and looks again only
// about a second later. The raw pipe drains that many in a quarter of a
// second, and in most runs then sat idle for 0.7 s of its 1.2 s: it measured
// that pause, not the minimum durable work. Rotor's consumer takes longer
// than the pause to drain the queue, and ingests as fast with this setting
// as without it (docs/performance.md).
ClientSettings RawConsumerClient(const ClientSettings& client) {
  ClientSettings out = client;
  out.properties.emplace_back("queued.min.messages", "10000000");
  return out;
}

// Rotor's side: the report consumer, the command service, the log and the
// FleetProjection, from the topic's first message until the projection holds
// the last report.
Status RotorIngest(const KafkaBenchOptions& o, const ClientSettings& client,
                   const std::string& topic, TempDir& dir, Figures* f) {
  auto log = RocksDbEventLog::Open(dir.Sub("ingest-log"));
  if (!log.ok()) return log.status();
  auto store = projections::RocksDbProjectionStore::Open(dir.Sub("ingest-projections"));
  if (!store.ok()) return store.status();
  projections::FleetProjection fleet;
  projections::ProjectionRunner runner(**log, **store, fleet);
  ROTOR_RETURN_IF_ERROR(runner.Open());
  domain::CommandService service(**log);
  kafka::ReportIngestor ingestor(service, kafka::KafkaIngestActor(topic));
  kafka::ReportConsumerOptions consumer_options;
  consumer_options.client = client;
  consumer_options.topic = topic;
  consumer_options.dlq_topic = topic + ".dlq";
  consumer_options.group = "ingest-" + Suffix();
  consumer_options.batch_max = o.batch;
  auto consumer = kafka::ReportConsumer::Create(ingestor, consumer_options);
  if (!consumer.ok()) return consumer.status();
  CpuMeter cpu;
  Stopwatch clock;
  runner.Start();
  (*consumer)->Start();
  ROTOR_RETURN_IF_ERROR(Await(
      [&] {
        return !(*consumer)->status().ok() || !runner.status().ok() ||
               ((*consumer)->processed() == o.reports &&
                runner.checkpoint().sequence == (*log)->Head());
      },
      "ingest"));
  double seconds = clock.Seconds();
  f->ingest_cpu = cpu.PerReport(o.reports, seconds);
  (*consumer)->Stop();
  runner.Stop();
  ROTOR_RETURN_IF_ERROR((*consumer)->status());
  ROTOR_RETURN_IF_ERROR(runner.status());
  if ((*consumer)->ingested() != o.reports || (*log)->Head() != o.reports) {
    return Status::Internal("ingested " + std::to_string((*consumer)->ingested()) +
                            " reports into " + std::to_string((*log)->Head()) +
                            " events, expected " + std::to_string(o.reports));
  }
  f->ingest = PerSecond(o.reports, seconds);
  f->group_commits = (*log)->group_commits();
  f->grouped_requests = (*log)->grouped_requests();
  return Status::Ok();
}

// The reports, produced untimed; the raw consumer and the raw durable pipe
// over them; then Rotor's side.
Status IngestPhase(const KafkaBenchOptions& o, const ClientSettings& client, TempDir& dir,
                   Figures* f) {
  const ClientSettings raw_consumers = RawConsumerClient(client);
  std::string topic = "bench.reports." + Suffix();
  ROTOR_RETURN_IF_ERROR(kafka::EnsureTopic(client, topic, o.partitions));
  ROTOR_RETURN_IF_ERROR(kafka::EnsureTopic(client, topic + ".dlq", 1));
  {  // the reports, produced beforehand (not timed)
    std::vector<Outgoing> reports;
    const std::string fp(64, 'b');
    Time at = TimeFromMicros(int64_t{1793491200000000});
    for (uint64_t i = 0; i < o.reports; ++i) {
      std::string agent = "agent-" + std::to_string(i);
      AgentReport r{"r-" + std::to_string(i), agent, at, {fp}, "gw-1", "site-1", true};
      reports.push_back({agent, SerializeAgentReport(r), "", "", 0});
    }
    Result<double> produced = RawProduce(client, topic, reports);
    if (!produced.ok()) return produced.status();
  }
  {
    // The broker's first consumer group creates its offsets topic, which takes
    // about a second. Pay that here, untimed, so that neither side pays it.
    std::string warm_topic = "bench.warm-up." + Suffix();
    ROTOR_RETURN_IF_ERROR(kafka::EnsureTopic(client, warm_topic, 1));
    Result<double> produced = RawProduce(client, warm_topic, {{"k", "v", "", "", 0}});
    if (!produced.ok()) return produced.status();
    Result<ConsumeTimes> warm = RawConsume(client, warm_topic, 1);
    if (!warm.ok()) return warm.status();
  }
  Result<ConsumeTimes> raw = RawConsume(raw_consumers, topic, o.reports);
  if (!raw.ok()) return raw.status();
  f->raw_consume = PerSecond(o.reports, raw->total);
  f->raw_consume_after_join = PerSecond(o.reports, raw->after_first);
  kafka::ReportConsumerOptions defaults;
  CpuMeter pipe_cpu;
  Result<double> pipe =
      RawDurablePipe(raw_consumers, topic, o.reports, o.batch,
                     static_cast<int>(defaults.batch_wait.count()), dir.Sub("raw-pipe"));
  if (!pipe.ok()) return pipe.status();
  f->raw_durable_pipe = PerSecond(o.reports, *pipe);
  f->raw_pipe_cpu = pipe_cpu.PerReport(o.reports, *pipe);

  return RotorIngest(o, client, topic, dir, f);
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

void Print(const KafkaBenchOptions& o, const Figures& f) {
  double ingest_ratio = Ratio(f.ingest, f.raw_durable_pipe);
  bool ingest_met = ingest_ratio >= kIngestTarget && f.ingest >= kIngestFloor;
  double publish_ratio = Ratio(f.publish, f.raw_produce);
  double per_fsync =
      Ratio(static_cast<double>(f.grouped_requests), static_cast<double>(f.group_commits));
  if (o.json) {
    JsonObject targets;
    targets.Add("ingest_vs_raw_durable_pipe", kIngestTarget)
        .Add("ingest_per_s", kIngestFloor)
        .Add("publish_ratio", kPublishTarget);
    JsonObject j;
    j.Add("reports", o.reports)
        .Add("events", o.events)
        .Add("partitions", static_cast<uint64_t>(o.partitions))
        .Add("consumer_batch", uint64_t{o.batch})
        .Add("ingest_per_s", f.ingest)
        .Add("raw_durable_pipe_per_s", f.raw_durable_pipe)
        .Add("ingest_vs_raw_durable_pipe", ingest_ratio)
        .Add("ingest_cpu_us_per_report", f.ingest_cpu.process_us)
        .Add("ingest_machine_cpu_us_per_report", f.ingest_cpu.machine_us)
        .Add("ingest_machine_busy", f.ingest_cpu.machine_busy)
        .Add("ingest_cpu_bound_per_s", f.ingest_cpu.Bound())
        .Add("raw_pipe_machine_cpu_us_per_report", f.raw_pipe_cpu.machine_us)
        .Add("raw_consume_per_s", f.raw_consume)
        .Add("raw_consume_after_join_per_s", f.raw_consume_after_join)
        .Add("ingest_ratio_to_after_join", Ratio(f.ingest, f.raw_consume_after_join))
        .Add("ingest_ratio", Ratio(f.ingest, f.raw_consume))
        .Add("ingest_group_commits", f.group_commits)
        .Add("ingest_appends_per_fsync", per_fsync)
        .Add("publish_per_s", f.publish)
        .Add("raw_produce_per_s", f.raw_produce)
        .Add("publish_ratio", publish_ratio)
        .AddObject("targets", targets)
        .Add("targets_met", ingest_met && publish_ratio >= kPublishTarget);
    fmt::print("{}\n", j.ToString());
    return;
  }
  fmt::print("rotor-bench kafka: {} events published, {} reports ingested, {} partitions\n",
             o.events, o.reports, o.partitions);
  fmt::print("  publish  relay {:>9.0f}/s  raw producer {:>9.0f}/s  {:.2f}x (target {:.1f}x)\n",
             f.publish, f.raw_produce, publish_ratio, kPublishTarget);
  fmt::print(
      "  ingest   rotor {:>9.0f}/s  raw durable pipe {:>9.0f}/s  {:.3f}x (target {:.1f}x"
      " and {:.0f}/s: {})\n",
      f.ingest, f.raw_durable_pipe, ingest_ratio, kIngestTarget, kIngestFloor,
      ingest_met ? "met" : "MISSED");
  fmt::print(
      "  ingest CPU a report: {:.1f} us in this process, {:.1f} us on the machine (broker"
      " included; raw pipe {:.1f} us); cores {:.0f}% busy: at this cost {} cores do at most"
      " {:.0f}/s\n",
      f.ingest_cpu.process_us, f.ingest_cpu.machine_us, f.raw_pipe_cpu.machine_us,
      f.ingest_cpu.machine_busy * 100, f.ingest_cpu.cores, f.ingest_cpu.Bound());
  fmt::print("  ingest vs raw consumer {:>9.0f}/s: {:.3f}x\n", f.raw_consume,
             Ratio(f.ingest, f.raw_consume));
  fmt::print("  (raw consumer without the group join: {:.0f}/s; ingest is {:.3f}x that)\n",
             f.raw_consume_after_join, Ratio(f.ingest, f.raw_consume_after_join));
  fmt::print("  ingest: {} group commits, {:.1f} appends per fsync\n", f.group_commits, per_fsync);
}

int RunKafkaBench(const KafkaBenchOptions& o) {
  auto dir = TempDir::Create(o.dir);
  if (!dir.ok()) {
    spdlog::error("{}", dir.status().ToString());
    return 1;
  }
  ClientSettings client;
  client.client_id = "rotor-bench";
  client.brokers = o.brokers;
  std::string broker_dir;
  if (client.brokers.empty()) {
    // The optimizing JIT (C2 needs a second compiler thread; kafka.sh asks for one).
    setenv("ROTOR_KAFKA_JVM_OPTS", "-XX:TieredStopAtLevel=4 -XX:CICompilerCount=2", 0);
    broker_dir = (*dir)->Sub("broker");
    auto started = KafkaSh("start " + broker_dir);
    if (!started.ok()) {
      spdlog::error("{}", started.status().ToString());
      return 1;
    }
    client.brokers = *started;
  }
  Figures f;
  Status s = PublishPhase(o, client, **dir, &f);
  if (s.ok()) s = IngestPhase(o, client, **dir, &f);
  if (!broker_dir.empty()) (void)KafkaSh("stop " + broker_dir);
  if (!s.ok()) {
    spdlog::error("rotor-bench kafka: {}", s.ToString());
    return 1;
  }
  Print(o, f);
  return 0;
}

}  // namespace

Runner AddKafkaBench(CLI::App* command) {
  auto o = std::make_shared<KafkaBenchOptions>();
  command->add_option("--brokers", o->brokers, "bootstrap servers (default: start a broker)");
  command->add_option("--events", o->events, "events to publish")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--reports", o->reports, "reports to ingest")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--partitions", o->partitions, "partitions per topic")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--batch", o->batch, "reports per consumer batch")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--rounds", o->rounds, "publish rounds per side; the best counts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--read-ahead", o->read_ahead, "relay batches encoded ahead (0: inline)")
      ->capture_default_str();
  command->add_option("--dir", o->dir, "parent of the scratch directory (default $TMPDIR or /tmp)");
  command->add_flag("--json", o->json, "print one JSON object");
  return [o] { return RunKafkaBench(*o); };
}

}  // namespace rotor::bench
