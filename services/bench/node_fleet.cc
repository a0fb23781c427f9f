// The workload of `rotor-bench node`. See node_fleet.h.
#include "services/bench/node_fleet.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "services/bench/bench_util.h"
#include "services/ca/generate.h"

namespace rotor::bench {
namespace {

using nlohmann::json;

constexpr int kFinalizeTries = 5;

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

std::string AgentId(uint64_t i) { return "fleet-" + std::to_string(i); }

Result<double> CsrLatency(ApiClient& api, uint64_t agent, const std::string& csr_pem) {
  std::string reply;
  Result<double> ms = api.Call("POST", "/v1/agents/" + AgentId(agent) + "/csr", kOperatorToken,
                               json{{"csr_pem", csr_pem}}.dump(), &reply);
  if (!ms.ok()) return ms.status();
  json answer = json::parse(reply, nullptr, false);
  if (!answer.is_object() || answer.value("rollout_id", "") != kNodeRenewal) {
    return Status::Internal("the CSR of " + AgentId(agent) + " was not signed for renewal " +
                            kNodeRenewal + ": " + reply);
  }
  return ms;
}

// The reports timed must each have been recorded: the replacement counts
// exactly `requests` agents as having received the new certificate.
Status CheckReceived(ApiClient& api, uint64_t requests) {
  std::string reply;
  ROTOR_RETURN_IF_ERROR(
      api.Call("GET", std::string("/v1/rollouts/") + kBenchRollout, kAuditorToken, "", &reply)
          .status());
  json progress = json::parse(reply, nullptr, false);
  uint64_t received = progress.is_object() ? progress.value("received", uint64_t{0}) : 0;
  if (received != requests) {
    return Status::Internal("after " + std::to_string(requests) +
                            " reports of the new certificate, rollout " + kBenchRollout +
                            " counts " + std::to_string(received) + " received: " + reply);
  }
  return Status::Ok();
}

// The median of kFinalizeTries finalizes of kBenchRollout, each refused
// with 412 (agents are outstanding).
Result<double> FinalizeRefusalMs(ApiClient& api) {
  const std::string finalize = std::string("/v1/rollouts/") + kBenchRollout + "/finalize";
  std::vector<double> ms;
  for (int i = 0; i < kFinalizeTries; ++i) {
    Result<double> one = api.Call("POST", finalize, kOperatorToken, "{}", nullptr, 412);
    if (!one.ok()) return one.status();
    ms.push_back(*one);
  }
  return Percentile(ms, 0.5);
}

}  // namespace

Result<NodeFiles> MakeNodeFiles(const std::string& dir) {
  NodeFiles f{dir + "/tokens", dir + "/ca.pem", dir + "/ca.key"};
  Result<std::string> tokens = BenchTokensFile();
  if (!tokens.ok()) return tokens.status();
  ROTOR_RETURN_IF_ERROR(WriteText(f.tokens, *tokens));
  Time now = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  auto ca = ca::GenerateSelfSignedCa("Rotor bench CEM CA", now - std::chrono::hours(24),
                                     now + std::chrono::days(3650));
  if (!ca.ok()) return ca.status();
  ROTOR_RETURN_IF_ERROR(WriteText(f.ca_cert, ca->first));
  ROTOR_RETURN_IF_ERROR(WriteText(f.ca_key, ca->second));
  return f;
}

std::vector<std::string> NodeRotordArgs(const std::string& data_dir, const NodeFiles& files,
                                        const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--data",           data_dir,
                                   "--listen",         "127.0.0.1:0",
                                   "--tokens",         files.tokens,
                                   "--ca-cert",        files.ca_cert,
                                   "--ca-key",         files.ca_key,
                                   "--log-level",      "warn",
                                   "--max-body-bytes", std::to_string(64u << 20)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

Result<FleetFingerprints> BuildFleet(ApiClient& api, uint64_t agents) {
  Result<std::pair<std::string, std::string>> pair = RegisterCertificatePair(api);
  if (!pair.ok()) return pair.status();
  FleetFingerprints fps{pair->first, pair->second};
  ROTOR_RETURN_IF_ERROR(ReportFleet(api, agents, fps.old_fp, /*cloud_enabled=*/true));
  json replace = {{"rollout_id", kBenchRollout},
                  {"old_fingerprint", fps.old_fp},
                  {"new_fingerprint", fps.new_fp}};
  ROTOR_RETURN_IF_ERROR(
      api.Call("POST", "/v1/replacements", kOperatorToken, replace.dump()).status());
  json renew = {{"rollout_id", kNodeRenewal}, {"target", "cem-agent-certificates"}};
  ROTOR_RETURN_IF_ERROR(api.Call("POST", "/v1/renewals", kOperatorToken, renew.dump()).status());
  return fps;
}

Result<std::vector<RequestLatencies>> MeasureRequests(const std::vector<TimedFleet>& fleets,
                                                      uint64_t requests) {
  std::vector<std::string> csrs;
  for (uint64_t i = 0; i < requests; ++i) {
    Result<std::pair<std::string, std::string>> made = ca::MakeCsr(AgentId(i));
    if (!made.ok()) return made.status();
    csrs.push_back(std::move(made->first));
  }
  const size_t n = fleets.size();
  std::vector<std::vector<double>> csr_ms(n), report_ms(n);
  spdlog::info("rotor-bench node: timing {} CSRs and {} reports on {} fleets, interleaved",
               requests, requests, n);
  for (uint64_t i = 0; i < requests; ++i) {
    for (size_t k = 0; k < n; ++k) {
      size_t f = (i + k) % n;  // each request starts with another fleet
      Result<double> ms = CsrLatency(*fleets[f].api, i, csrs[i]);
      if (!ms.ok()) return ms.status();
      csr_ms[f].push_back(*ms);
    }
  }
  for (uint64_t i = requests; i < 2 * requests; ++i) {
    for (size_t k = 0; k < n; ++k) {
      size_t f = (i + k) % n;
      Time now = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
      const FleetFingerprints& fps = fleets[f].fps;
      Result<double> ms = fleets[f].api->Call(
          "POST", "/v1/reports", kIngestToken,
          ReportJson("node-" + std::to_string(i), AgentId(i), {fps.old_fp, fps.new_fp}, true, now));
      if (!ms.ok()) return ms.status();
      report_ms[f].push_back(*ms);
    }
  }
  std::vector<RequestLatencies> latencies;
  for (size_t f = 0; f < n; ++f) {
    spdlog::info(
        "rotor-bench node: fleet {}: CSR p50 {:.2f} max {:.2f} ms; report p50 {:.2f} max "
        "{:.2f} ms",
        f, Percentile(csr_ms[f], 0.5), Percentile(csr_ms[f], 1.0), Percentile(report_ms[f], 0.5),
        Percentile(report_ms[f], 1.0));
    ROTOR_RETURN_IF_ERROR(CheckReceived(*fleets[f].api, requests));
    Result<double> finalize = FinalizeRefusalMs(*fleets[f].api);
    if (!finalize.ok()) return finalize.status();
    latencies.push_back(
        RequestLatencies{Percentile(csr_ms[f], 0.99), Percentile(report_ms[f], 0.99), *finalize});
  }
  return latencies;
}

Result<uint64_t> LogHead(ApiClient& api) {
  std::string metrics;
  ROTOR_RETURN_IF_ERROR(api.Call("GET", "/metrics", kAuditorToken, "", &metrics).status());
  std::istringstream in(metrics);
  const std::string name = "rotor_log_head_sequence ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name, 0) == 0) return static_cast<uint64_t>(std::stod(line.substr(name.size())));
  }
  return Status::Internal("GET /metrics has no rotor_log_head_sequence");
}

}  // namespace rotor::bench
