// EngineCore: the state behind Engine and the helpers its route handlers
// share (internal to services/app). The handlers (routes_*.cc) are free
// functions registered in the Router; they reach the log, the command
// service, the projections and the CA through this struct.
//
// Ownership: EngineCore owns everything it points to; Engine owns the core.
// Thread safety: the members are thread-safe objects (see each header); the
// projections are read only through their runner's Read (shared lock).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "events/merkle_store.h"
#include "events/rocksdb_event_log.h"
#include "projections/audit_projection.h"
#include "projections/fleet_projection.h"
#include "projections/rocksdb_store.h"
#include "projections/runner.h"
#include "services/app/api.h"
#include "services/app/as_of_cache.h"
#include "services/app/crl_cache.h"
#include "services/app/engine.h"
#include "services/app/metrics.h"
#include "services/app/ocsp_cache.h"
#include "services/app/router.h"
#include "services/app/state_snapshots.h"
#include "services/app/state_snapshotter.h"
#include "services/app/stream_hub.h"
#include "services/ca/certificate_authority.h"
#include "services/domain/command_service.h"
#include "services/transparency/notary.h"

// Returns ErrorResponse(status) from the enclosing handler when `expr` fails.
#define ROTOR_RETURN_IF_ERROR_RESPONSE(expr)             \
  do {                                                   \
    ::rotor::Status rotor_status_ = (expr);              \
    if (!rotor_status_.ok()) {                           \
      return ::rotor::app::ErrorResponse(rotor_status_); \
    }                                                    \
  } while (false)

namespace rotor::app {

struct EngineCore {
  EngineOptions options;
  std::unique_ptr<RocksDbEventLog> log;
  std::unique_ptr<projections::RocksDbProjectionStore> store;
  projections::FleetProjection fleet;
  projections::AuditProjection audit;
  std::unique_ptr<projections::ProjectionRunner> fleet_runner;
  std::unique_ptr<projections::ProjectionRunner> audit_runner;
  std::unique_ptr<domain::CommandService> commands;
  std::unique_ptr<StateSnapshots> snapshots;      // the deciders' state snapshots
  std::unique_ptr<StateSnapshotter> snapshotter;  // takes them
  std::unique_ptr<ca::CertificateAuthority> ca;   // null without a configured CA
  std::unique_ptr<CrlCache> crl;                  // null without a configured CA
  std::unique_ptr<OcspResponseCache> ocsp;        // null without a configured CA
  std::unique_ptr<StreamHub> hub;                 // live progress for Watch
  std::unique_ptr<MerkleStore> tree;              // the log's Merkle tree
  std::unique_ptr<transparency::Notary> notary;   // keeps `tree` current, signs checkpoints
  AsOfCache as_of;                                // the read models of the latest as_of asked
  Metrics metrics;
  Router router;

  // Signalled after each projection commit and on shutdown.
  mutable std::mutex progress_mu;
  mutable std::condition_variable progress_cv;
  std::atomic<bool> shutting_down{false};
  std::atomic<bool> closed{false};

  Time Now() const;
  // The lower of the two projections' checkpoints.
  uint64_t ProjectedSequence() const;
  bool WaitForProjections(uint64_t sequence, std::chrono::milliseconds timeout) const;

  // Executes `command` and records its metrics.
  Result<domain::CommandOutcome> Execute(const domain::Command& command);
  // Executes `commands` with CommandService::ExecuteBatch (one durable write
  // per round) and records each command's metrics with the batch's latency.
  std::vector<Result<domain::CommandOutcome>> ExecuteBatch(
      std::span<const domain::Command> commands);

  // Reads the fleet or audit projection under its runner's shared lock.
  template <typename F>
  auto ReadFleet(F&& f) const {
    return fleet_runner->Read([&] { return f(fleet); });
  }
  template <typename F>
  auto ReadAudit(F&& f) const {
    return audit_runner->Read([&] { return f(audit); });
  }
};

// Response helpers shared by the handlers (engine_core.cc).
ApiResponse JsonResponse(const nlohmann::json& body, int status = 200);
// 200 with {"events", "first_sequence", "last_sequence", "event_count"} plus
// the fields of `extra`, or the command's error.
ApiResponse CommandResponse(const EngineCore& core, const Result<domain::CommandOutcome>& outcome,
                            nlohmann::json extra = nlohmann::json::object());
// The appended events as JSON (at most `max`), read back from the log.
nlohmann::json AppendedEvents(const EngineCore& core, const domain::CommandOutcome& outcome,
                              size_t max);
// A fresh rollout id ("r-" and 12 random hex digits) for commands without one.
std::string NewRolloutId();
// Parses an unsigned query parameter; `fallback` when absent. Errors:
// kInvalidArgument naming the parameter.
Result<uint64_t> QueryNumber(const ApiRequest& request, std::string_view name, uint64_t fallback,
                             uint64_t max);

// The StreamHub's computation: every rollout's progress with breakdowns, as
// docs/api.md shows it, read from the fleet projection (watch.cc).
StreamHub::Compute ProgressFeed(const EngineCore& core);

// Route registration, by area (routes_*.cc).
void AddCertificateRoutes(EngineCore& core);  // certificates, renewals, CSR, revoke, CRL
void AddRolloutRoutes(EngineCore& core);      // replacements and their lifecycle, gateways
void AddAgentRoutes(EngineCore& core);        // reports, agent deletion, stale sweeps
void AddQueryRoutes(EngineCore& core);        // rollouts, agents, certificates, stream
void AddAgentListRoutes(EngineCore& core);    // filtered, paged agent lists; agent timeline
void AddSeriesRoutes(EngineCore& core);       // a rollout's progress over log time
void AddAuditRoutes(EngineCore& core);        // events, verify, replay
void AddProofRoutes(EngineCore& core);        // checkpoints, inclusion and consistency proofs
void AddSystemRoutes(EngineCore& core);       // metrics, healthz, clock
void AddPkiRoutes(EngineCore& core);          // public CRL, CA certificate, OCSP

}  // namespace rotor::app
