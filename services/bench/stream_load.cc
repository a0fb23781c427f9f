// Loopback load for `rotor-bench stream`. See stream_load.h.
#include "services/bench/stream_load.h"

#include <httplib.h>
#include <pthread.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "services/http/tokens.h"
#include "services/sim/certs.h"

namespace rotor::bench {

using nlohmann::json;

Result<std::string> BenchTokensFile() {
  std::string text;
  for (auto [secret, role] : {std::pair{kOperatorToken, app::Role::kOperator},
                              std::pair{kIngestToken, app::Role::kIngest},
                              std::pair{kAuditorToken, app::Role::kAuditor}}) {
    Result<std::string> line = http::TokenStore::MakeLine(secret, secret, role, "");
    if (!line.ok()) return line.status();
    text += *line;
  }
  return text;
}

std::string ReportJson(const std::string& report_id, const std::string& agent_id,
                       const std::vector<std::string>& fingerprints, bool cloud_enabled,
                       std::optional<Time> reported_at) {
  static const std::string kAt =
      FormatTime(std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now()) -
                 std::chrono::minutes(1));
  return json{{"reportId", report_id},
              {"agentId", agent_id},
              {"reportedAt", reported_at ? FormatTime(*reported_at) : kAt},
              {"certificateFingerprints", fingerprints},
              {"gatewayId", "gw-" + agent_id.substr(agent_id.size() - 1)},
              {"site", "site-1"},
              {"cloudEnabled", cloud_enabled}}
      .dump();
}

Result<std::unique_ptr<LoopbackRotord>> LoopbackRotord::Start(const std::string& data_dir,
                                                              int max_streams) {
  auto r = std::unique_ptr<LoopbackRotord>(new LoopbackRotord());
  app::EngineOptions e;
  e.data_dir = data_dir;
  e.max_body_bytes = 64u << 20;
  Result<std::unique_ptr<app::Engine>> engine = app::Engine::Open(e);
  if (!engine.ok()) return engine.status();
  r->engine_ = std::move(*engine);
  http::HttpServerOptions h;
  h.max_body_bytes = e.max_body_bytes;
  h.max_streams = max_streams;
  Result<std::string> text = BenchTokensFile();
  if (!text.ok()) return text.status();
  Result<http::TokenStore> tokens = http::TokenStore::Parse(*text, "rotor-bench");
  if (!tokens.ok()) return tokens.status();
  h.tokens = std::move(*tokens);
  Result<std::unique_ptr<http::HttpServer>> server = http::HttpServer::Create(*r->engine_, h);
  if (!server.ok()) return server.status();
  r->server_ = std::move(*server);
  r->server_->Start();
  return r;
}

LoopbackRotord::~LoopbackRotord() {
  if (engine_ != nullptr) engine_->BeginShutdown();
  server_.reset();
  engine_.reset();
}

ApiClient::ApiClient(int port) : client_(std::make_unique<httplib::Client>("127.0.0.1", port)) {
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);  // headers and body are two writes: no Nagle delay
  client_->set_read_timeout(std::chrono::seconds(60));
}

ApiClient::~ApiClient() = default;

Result<double> ApiClient::Call(const std::string& method, const std::string& path,
                               const std::string& token, const std::string& body,
                               std::string* reply, int expected) {
  httplib::Headers headers = {{"Authorization", "Bearer " + token}};
  auto start = std::chrono::steady_clock::now();
  httplib::Result r = method == "GET"
                          ? client_->Get(path.c_str(), headers)
                          : client_->Post(path.c_str(), headers, body, "application/json");
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!r) return Status::IoError(method + " " + path + ": " + httplib::to_string(r.error()));
  if (r->status != expected) {
    return Status::Internal(method + " " + path + " -> " + std::to_string(r->status) + ": " +
                            r->body);
  }
  if (reply != nullptr) *reply = r->body;
  return ms;
}

Result<std::pair<std::string, std::string>> RegisterCertificatePair(ApiClient& api) {
  Time now = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
  std::vector<std::string> fps;
  for (const char* cn : {"ns-2025.bench.example", "ns-2026.bench.example"}) {
    Result<sim::MadeCertificate> cert =
        sim::SelfSigned(cn, now - std::chrono::days(30), now + std::chrono::days(365));
    if (!cert.ok()) return cert.status();
    json body = {{"kind", "server-web"}, {"pem", cert->pem}};
    ROTOR_RETURN_IF_ERROR(
        api.Call("POST", "/v1/certificates", kOperatorToken, body.dump()).status());
    fps.push_back(cert->fingerprint);
  }
  return std::make_pair(fps[0], fps[1]);
}

Status ReportFleet(ApiClient& api, uint64_t fleet, const std::string& fingerprint,
                   bool cloud_enabled, uint64_t round) {
  const std::string prefix = round == 0 ? "f-" : "f" + std::to_string(round) + "-";
  for (uint64_t start = 0; start < fleet; start += 1000) {
    std::optional<Time> at;
    if (round > 0) at = std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
    std::string batch = "{\"reports\":[";
    for (uint64_t i = start; i < std::min(fleet, start + 1000); ++i) {
      if (i > start) batch += ',';
      batch += ReportJson(prefix + std::to_string(i), "fleet-" + std::to_string(i), {fingerprint},
                          cloud_enabled, at);
    }
    batch += "]}";
    ROTOR_RETURN_IF_ERROR(api.Call("POST", "/v1/reports:batch", kIngestToken, batch).status());
  }
  return Status::Ok();
}

Result<std::pair<std::string, std::string>> SetUpFleet(ApiClient& api, uint64_t fleet) {
  Result<std::pair<std::string, std::string>> fps = RegisterCertificatePair(api);
  if (!fps.ok()) return fps.status();
  ROTOR_RETURN_IF_ERROR(ReportFleet(api, fleet, fps->first, false));
  json replace = {{"rollout_id", kBenchRollout},
                  {"old_fingerprint", fps->first},
                  {"new_fingerprint", fps->second}};
  ROTOR_RETURN_IF_ERROR(
      api.Call("POST", "/v1/replacements", kOperatorToken, replace.dump()).status());
  return fps;
}

Result<std::unique_ptr<Watchers>> Watchers::Open(int port, size_t count) {
  auto w = std::unique_ptr<Watchers>(new Watchers());
  w->next_.assign(count, 0);
  w->first_.assign(count, false);
  Watchers* raw = w.get();
  Result<std::unique_ptr<client::SseSubscribers>> subs = client::SseSubscribers::Open(
      "127.0.0.1", port, kAuditorToken, count,
      [raw](size_t i, const std::string& event, const std::string& data) {
        raw->OnEvent(i, event, data);
      });
  if (!subs.ok()) return subs.status();
  w->subs_ = std::move(*subs);
  w->poller_ = std::thread([raw] {
    while (!raw->stop_.load()) raw->subs_->Poll(std::chrono::milliseconds(50));
  });
  return w;
}

Watchers::~Watchers() {
  stop_ = true;
  if (poller_.joinable()) poller_.join();
}

double Watchers::client_cpu_ms() const {
  clockid_t clock;
  timespec ts{};
  if (pthread_getcpuclockid(const_cast<std::thread&>(poller_).native_handle(), &clock) != 0 ||
      clock_gettime(clock, &ts) != 0) {
    return 0;
  }
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

int64_t Watchers::Received(const std::string& data) {
  auto it = parsed_.find(data);
  if (it != parsed_.end()) return it->second;
  if (parsed_.size() > 64) parsed_.clear();
  json progress = json::parse(data, nullptr, false);
  int64_t received = -1;
  if (progress.is_object() && progress.value("rollout_id", "") == kBenchRollout) {
    received = progress.value("received", int64_t{-1});
  }
  parsed_.emplace(data, received);
  return received;
}

void Watchers::OnEvent(size_t i, const std::string& event, const std::string& data) {
  if (event != "progress") return;
  auto now = std::chrono::steady_clock::now();
  events_.fetch_add(1);
  int64_t received = Received(data);
  if (received < 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (!first_[i]) {
    first_[i] = true;
    connected_.fetch_add(1);
  }
  while (next_[i] < batches_.size() && batches_[next_[i]].received <= received) {
    lag_ms_.push_back(
        std::chrono::duration<double, std::milli>(now - batches_[next_[i]].sent).count());
    ++next_[i];
  }
}

size_t Watchers::WaitConnected(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (connected_.load() < next_.size() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return connected_.load();
}

void Watchers::AddBatch(int64_t received, SteadyTime sent) {
  std::lock_guard<std::mutex> lock(mu_);
  batches_.push_back({received, sent});
}

bool Watchers::AllSeen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::all_of(next_.begin(), next_.end(), [&](size_t n) { return n == batches_.size(); });
}

std::vector<double> Watchers::Drain(std::chrono::milliseconds timeout, uint64_t* unseen) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!AllSeen() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  *unseen = 0;
  for (size_t& n : next_) {
    for (; n < batches_.size(); ++n, ++*unseen) {
      lag_ms_.push_back(std::chrono::duration<double, std::milli>(now - batches_[n].sent).count());
    }
  }
  return lag_ms_;
}

}  // namespace rotor::bench
