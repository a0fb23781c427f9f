#include "services/app/engine.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/allocator.h"
#include "services/app/engine_core.h"
#include "services/domain/validation.h"
#include "services/pki/certificate_parser.h"

namespace rotor::app {
namespace {

spdlog::logger& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = spdlog::default_logger()->clone("app");
  return *logger;
}

std::string RoleList(RoleMask roles) {
  std::string out = "admin";
  for (Role role : {Role::kOperator, Role::kAuditor, Role::kAgent, Role::kIngest}) {
    if ((roles & RoleBit(role)) != 0) out += ", " + std::string(RoleName(role));
  }
  return out;
}

// Who may call `route`: a credential (unless public), a role the route
// allows, and, on a route about one agent (/v1/agents/{id}...), an agent
// principal only for its own agent. On refusal sets `*denial`. Errors:
// kUnauthenticated, kPermissionDenied naming the role or both agent ids.
Status Authorize(const Route& route, const Principal& principal,
                 const std::vector<std::string>& params, Denial* denial) {
  if (route.kind == RouteKind::kPublic) return Status::Ok();
  if (principal.name.empty()) {
    *denial = Denial::kMissingCredential;
    return Status::Unauthenticated("missing credential: send Authorization: Bearer <token>");
  }
  if (!Allows(route.roles, principal.role)) {
    *denial = Denial::kRole;
    return Status::PermissionDenied("role '" + std::string(RoleName(principal.role)) +
                                    "' (principal '" + principal.name + "') may not call " +
                                    route.method + " " + route.pattern +
                                    "; allowed roles: " + RoleList(route.roles));
  }
  constexpr std::string_view kAgentRoute = "/v1/agents/{id}";
  if (route.pattern.compare(0, kAgentRoute.size(), kAgentRoute) == 0 && !params.empty()) {
    *denial = Denial::kOtherAgent;
    return CheckSpeaksFor(principal, params[0]);
  }
  return Status::Ok();
}

// Signed OCSP responses kept (OcspResponseCache): a few MiB at most.
constexpr size_t kOcspCacheEntries = 4096;

// The ids in the path of `route` ("/v1/agents/{id}", "/v1/rollouts/{id}",
// "/v1/gateways/{id}") pass domain::CheckId, named by the segment before
// them, so a query answers 400 "agent id is not valid UTF-8" as a command
// does, rather than 404 quoting bytes that are not text. Errors:
// kInvalidArgument naming the field.
Status CheckPathIds(const Route& route, const std::vector<std::string>& params) {
  size_t param = 0;
  for (size_t i = 0; i < route.segments.size() && param < params.size(); ++i) {
    const std::string& segment = route.segments[i];
    if (segment.empty() || segment.front() != '{') continue;
    const std::string& value = params[param++];
    if (segment != "{id}" || i == 0) continue;
    const std::string& kind = route.segments[i - 1];
    std::string what = kind == "agents"     ? "agent id"
                       : kind == "rollouts" ? "rollout id"
                       : kind == "gateways" ? "gateway id"
                                            : "id";
    ROTOR_RETURN_IF_ERROR(domain::CheckId(what, value));
  }
  return Status::Ok();
}

// Opens a runner's stored state; a store that does not match the log is rebuilt.
Status OpenRunner(projections::ProjectionRunner& runner, std::string_view name) {
  Status opened = runner.Open();
  if (opened.code() != StatusCode::kFailedPrecondition) return opened;
  Logger().warn("projection '{}': {}; rebuilding from the log", name, opened.message());
  return runner.Rebuild();
}

Status LoadCa(EngineCore& core) {
  const EngineOptions& o = core.options;
  if (o.ca_cert_path.empty() != o.ca_key_path.empty()) {
    return Status::InvalidArgument("the CEM issuing CA needs both a certificate and a key file");
  }
  if (o.ca_cert_path.empty()) return Status::Ok();
  Result<std::unique_ptr<ca::CertificateAuthority>> loaded =
      ca::CertificateAuthority::Load(o.ca_cert_path, o.ca_key_path);
  if (!loaded.ok()) return loaded.status();
  core.ca = std::move(*loaded);
  Result<CertificateInfo> info = pki::ParseCertificate(core.ca->certificate_der());
  if (!info.ok()) return info.status().WithContext("CA certificate " + o.ca_cert_path);
  core.crl = std::make_unique<CrlCache>(*core.log, *core.ca, info->subject);
  // A cached answer keeps at least half its validity for the client.
  core.ocsp = std::make_unique<OcspResponseCache>(o.ocsp_validity / 2, kOcspCacheEntries);
  Logger().info("CEM issuing CA {} loaded ({})", info->subject, core.ca->fingerprint());
  return Status::Ok();
}

// Opens the Merkle tree beside the log and the notary that keeps it current.
Status OpenNotary(EngineCore& core) {
  const EngineOptions& o = core.options;
  Result<std::unique_ptr<MerkleStore>> tree =
      MerkleStore::Open(o.data_dir + "/merkle", {.cache_bytes = o.merkle_cache_bytes});
  if (!tree.ok()) return tree.status();
  core.tree = std::move(*tree);
  std::optional<transparency::NoteSigner> signer;
  if (!o.checkpoint_key_path.empty()) {
    std::ifstream in(o.checkpoint_key_path, std::ios::binary);
    if (!in) return Status::IoError("cannot read checkpoint key " + o.checkpoint_key_path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<transparency::NoteSigner> parsed = transparency::NoteSigner::Parse(text);
    if (!parsed.ok()) return parsed.status().WithContext("checkpoint key " + o.checkpoint_key_path);
    signer = std::move(*parsed);
  }
  transparency::NotaryOptions notary_options;
  notary_options.origin = !o.log_origin.empty() ? o.log_origin : signer ? signer->name() : "rotor";
  notary_options.every_events = std::max<uint64_t>(o.checkpoint_every_events, 1);
  notary_options.every = o.checkpoint_every;
  notary_options.on_checkpoint = o.on_checkpoint;
  notary_options.published_size = o.checkpoint_published_size;
  core.notary = std::make_unique<transparency::Notary>(*core.log, *core.tree, std::move(signer),
                                                       std::move(notary_options));
  // A tree that cannot follow the log (the log lost records the tree holds)
  // does not stop the engine: GET /v1/verify reports it.
  Result<uint64_t> size = core.notary->CatchUp();
  if (!size.ok()) Logger().error("merkle tree: {}", size.status().ToString());
  return Status::Ok();
}

// Restores the deciders' state from the newest usable snapshot (a start then
// folds only the events after it); returns its sequence, 0 when none.
uint64_t RestoreState(EngineCore& core) {
  core.snapshots = std::make_unique<StateSnapshots>(core.options.data_dir + "/snapshots/state");
  if (core.options.ignore_state_snapshots) {
    Logger().info("state snapshots ignored (--ignore-state-snapshots): folding the whole log");
    return 0;
  }
  Result<std::optional<domain::DomainState>> loaded = core.snapshots->Load(*core.log);
  if (!loaded.ok()) {
    Logger().warn("state snapshots: {}; folding the log from sequence 1",
                  loaded.status().ToString());
    return 0;
  }
  if (!loaded->has_value()) return 0;
  uint64_t sequence = (*loaded)->last_sequence;
  core.commands->Restore(std::move(**loaded));
  Logger().info("deciders' state restored from the snapshot at sequence {}; folding {} events",
                sequence, core.log->Head() - sequence);
  return sequence;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("no data directory given");
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Status::IoError("cannot create data directory " + options.data_dir + ": " +
                           ec.message());
  }
  auto core = std::make_unique<EngineCore>();
  core->options = std::move(options);
  const std::string dir = core->options.data_dir;
  Result<std::unique_ptr<RocksDbEventLog>> log =
      RocksDbEventLog::Open(dir + "/events", RocksDbEventLogOptions{core->options.sync});
  if (!log.ok()) return log.status();
  core->log = std::move(*log);
  Result<std::unique_ptr<projections::RocksDbProjectionStore>> store =
      projections::RocksDbProjectionStore::Open(
          dir + "/projections", projections::RocksDbProjectionStoreOptions{core->options.sync});
  if (!store.ok()) return store.status();
  core->store = std::move(*store);

  EngineCore* raw = core.get();
  core->hub = std::make_unique<StreamHub>(ProgressFeed(*core), core->options.stream_interval);
  projections::RunnerOptions runner_options;
  runner_options.on_commit = [raw](const projections::Checkpoint&) {
    raw->hub->Notify();
    std::lock_guard<std::mutex> lock(raw->progress_mu);
    raw->progress_cv.notify_all();
  };
  runner_options.snapshot_every_events = core->options.snapshot_every_events;
  core->fleet_runner = std::make_unique<projections::ProjectionRunner>(*core->log, *core->store,
                                                                       core->fleet, runner_options);
  core->audit_runner = std::make_unique<projections::ProjectionRunner>(*core->log, *core->store,
                                                                       core->audit, runner_options);
  ROTOR_RETURN_IF_ERROR(OpenRunner(*core->fleet_runner, "fleet"));
  ROTOR_RETURN_IF_ERROR(OpenRunner(*core->audit_runner, "audit"));

  core->commands = std::make_unique<domain::CommandService>(*core->log);
  uint64_t restored = RestoreState(*core);
  ROTOR_RETURN_IF_ERROR(core->commands->CatchUp());
  core->snapshotter = std::make_unique<StateSnapshotter>(
      *core->commands, *core->log, *core->snapshots,
      StateSnapshotterOptions{core->options.state_snapshot_every_events,
                              core->options.state_snapshot_min_interval},
      restored);
  if (core->options.virtual_clock && core->log->Head() > 0) {
    RecordedEvent last;
    ROTOR_RETURN_IF_ERROR(core->log->ReadOne(core->log->Head(), &last));
    core->options.virtual_clock->AdvanceTo(last.recorded_at);
  }
  ROTOR_RETURN_IF_ERROR(LoadCa(*core));
  ROTOR_RETURN_IF_ERROR(OpenNotary(*core));

  AddCertificateRoutes(*core);
  AddRolloutRoutes(*core);
  AddAgentRoutes(*core);
  AddQueryRoutes(*core);
  AddAgentListRoutes(*core);
  AddSeriesRoutes(*core);
  AddAuditRoutes(*core);
  AddSystemRoutes(*core);
  AddPkiRoutes(*core);
  AddProofRoutes(*core);

  core->fleet_runner->Start();
  core->audit_runner->Start();
  core->notary->Start();
  core->snapshotter->Start();
  ReleaseFreeMemory();  // what restoring and loading freed (the snapshot's bytes)
  Logger().info("opened {}: log head {}, projections at {}", dir, core->log->Head(),
                core->ProjectedSequence());
  return std::unique_ptr<Engine>(new Engine(std::move(core)));
}

Engine::Engine(std::unique_ptr<EngineCore> core) : core_(std::move(core)) {}

Engine::~Engine() { Close(); }

ApiResponse Engine::Handle(const ApiRequest& request) {
  EngineCore& c = *core_;
  std::vector<std::string> params;
  bool path_known = false;
  const Route* route = c.router.Match(request.method, request.path, &params, &path_known);
  ApiResponse response;
  Denial denial = Denial::kOtherAgent;  // a handler's 403: a report about another agent
  if (route == nullptr) {
    std::string what = request.method + " " + request.path;
    response = ErrorResponse(Status::NotFound("no route " + what + " (see docs/api.md)"));
    if (path_known) response.status = 405;
  } else if (Status allowed = Authorize(*route, request.principal, params, &denial);
             !allowed.ok()) {
    response = ErrorResponse(allowed);
  } else if (Status ids = CheckPathIds(*route, params); !ids.ok()) {
    response = ErrorResponse(ids);
  } else if (c.closed.load(std::memory_order_acquire) && route->kind != RouteKind::kPublic) {
    response = ErrorResponse(Status::Cancelled("rotord is shutting down"));
  } else if (request.body.size() > c.options.max_body_bytes) {
    response = ErrorResponse(Status::InvalidArgument(
        "request body is " + std::to_string(request.body.size()) + " bytes, over the limit of " +
        std::to_string(c.options.max_body_bytes) + " bytes"));
  } else {
    if (route->kind == RouteKind::kQuery) {
      (void)c.WaitForProjections(c.log->Head(), c.options.read_your_writes_timeout);
    }
    try {
      response = route->handler(RouteContext{request, std::move(params)});
    } catch (const std::exception& e) {
      Logger().error("{} {}: {}", request.method, request.path, e.what());
      response = ErrorResponse(Status::Internal(std::string("unexpected error: ") + e.what()));
    }
  }
  c.metrics.RequestServed(request.method, route != nullptr ? route->pattern : "unmatched",
                          response.status);
  if (response.status == 401 || response.status == 403) {
    c.metrics.RequestDenied(response.status, DenialName(denial));
  }
  return response;
}

void Engine::RecordDenied(Denial denial) {
  core_->metrics.RequestDenied(DenialStatus(denial), DenialName(denial));
}

Status Engine::CheckClientCertificate(std::string_view issuer, std::string_view serial_hex) {
  if (core_->crl == nullptr) return Status::Ok();
  Result<ca::SerialStatus> status = core_->crl->LookupIssued(issuer, std::string(serial_hex));
  if (!status.ok()) return status.status().WithContext("checking the client certificate");
  if (status->status != ca::CertStatus::kRevoked) return Status::Ok();
  auto reason = static_cast<uint32_t>(status->reason_code);
  return Status::Unauthenticated("the client certificate with serial " + std::string(serial_hex) +
                                 " was revoked at " + FormatTime(status->revoked_at) + " (" +
                                 std::string(domain::CrlReasonName(reason)) +
                                 "); a revoked certificate cannot get in");
}

bool Engine::IsPublic(std::string_view method, std::string_view path) const {
  std::vector<std::string> params;
  bool path_known = false;
  const Route* route = core_->router.Match(method, path, &params, &path_known);
  return route != nullptr && route->kind == RouteKind::kPublic;
}

Result<size_t> Engine::SweepStale(const std::string& actor) {
  domain::FlagStaleAgents command;
  command.threshold = core_->options.stale_threshold;
  command.actor = actor;
  command.now = core_->Now();
  Result<domain::CommandOutcome> outcome = core_->Execute(command);
  if (!outcome.ok()) return outcome.status();
  size_t flagged = 0;
  for (const domain::AppendedStream& s : outcome->appended) flagged += s.events.size();
  if (flagged > 0) Logger().info("stale sweep flagged {} agents", flagged);
  return flagged;
}

Time Engine::Now() const { return core_->Now(); }

uint64_t Engine::Head() const { return core_->log->Head(); }

EventLog& Engine::log() { return *core_->log; }

domain::CommandService& Engine::commands() { return *core_->commands; }

bool Engine::WaitForProjections(uint64_t sequence, std::chrono::milliseconds timeout) const {
  return core_->WaitForProjections(sequence, timeout);
}

Status Engine::Health() const {
  if (core_->closed.load(std::memory_order_acquire) || core_->log->closed()) {
    return Status::Cancelled("shutting down");
  }
  Status fleet = core_->fleet_runner->status();
  if (!fleet.ok()) return fleet.WithContext("fleet projection");
  Status audit = core_->audit_runner->status();
  if (!audit.ok()) return audit.WithContext("audit projection");
  return Status::Ok();
}

void Engine::BeginShutdown() {
  core_->shutting_down.store(true, std::memory_order_release);
  core_->hub->Stop();
  std::lock_guard<std::mutex> lock(core_->progress_mu);
  core_->progress_cv.notify_all();
}

void Engine::Close() {
  BeginShutdown();
  if (core_->closed.load(std::memory_order_acquire)) return;
  // Let the projections commit what the log holds, so a restart starts current.
  (void)core_->WaitForProjections(core_->log->Head(), std::chrono::seconds(10));
  core_->closed.store(true, std::memory_order_release);
  core_->fleet_runner->Stop();
  core_->audit_runner->Stop();
  core_->notary->Stop();
  core_->snapshotter->Stop();  // a last snapshot: the next start folds nothing
  core_->log->Close();
  {
    std::lock_guard<std::mutex> lock(core_->progress_mu);
    core_->progress_cv.notify_all();
  }
  Logger().info("closed {} at log head {}, projections at {}", core_->options.data_dir,
                core_->log->Head(), core_->ProjectedSequence());
}

}  // namespace rotor::app
