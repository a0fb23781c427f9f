// Engine: Rotor's application core behind both transports (rotord's HTTP
// server and rotorctl's in-process mode). It owns, for one data directory:
//   DIR/events       the event log (RocksDbEventLog),
//   DIR/projections  the projection store, with the fleet and audit
//                    projections each kept current by a ProjectionRunner on
//                    its own thread,
// plus the domain's CommandService, the optional CEM issuing CA (CSR signing
// and the CRL), the Prometheus metrics and the clock (injected; a
// VirtualClock for simulations).
//
// Handle() routes a request through the route table (docs/api.md): role
// check (401/403 append nothing), strict JSON parsing, the command or query.
// Commands take `now` from the clock and record the principal as actor.
// Queries first wait (bounded) until the projections reached the log's head
// as it was when the query arrived, so a caller reads its own writes.
//
// Thread safety: Handle, Watch and the accessors are safe to call
// concurrently. Every Watch shares one StreamHub (stream_hub.h): one
// progress computation per change, whatever the number of watchers.
// BeginShutdown ends every Watch; Close (or the destructor)
// stops the runners after their last commit and closes the log; Handle then
// answers 503.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "base/time.h"
#include "events/event_log.h"
#include "services/app/api.h"
#include "services/app/virtual_clock.h"

namespace rotor::domain {
class CommandService;
}  // namespace rotor::domain

namespace rotor::app {

struct EngineOptions {
  std::string data_dir;
  // The CEM issuing CA (PEM files, key unencrypted): both or neither. Without
  // them, CSR signing and the CRL answer 412 and renewals track certificates
  // issued elsewhere.
  std::string ca_cert_path;
  std::string ca_key_path;
  // Validity of certificates signed from CSRs.
  Micros issued_validity = std::chrono::days(90);
  // URLs written into certificates signed from CSRs (docs/operations.md,
  // "Revocation"): the CRL distribution point, the OCSP responder and the CA
  // certificate (AIA caIssuers). Empty: that extension is left out; nothing
  // is derived from the listen address.
  std::string crl_url;
  std::string ocsp_url;
  std::string ca_issuers_url;
  // How long an OCSP answer is valid (its nextUpdate - thisUpdate).
  Micros ocsp_validity = std::chrono::hours(1);
  // Default threshold of POST /v1/sweeps/stale and SweepStale().
  Micros stale_threshold = std::chrono::days(14);
  // Agent reports dated further ahead of the clock are rejected
  // (domain::IngestAgentReport::max_clock_skew).
  Micros max_clock_skew = std::chrono::minutes(5);
  // The clock; the system clock when empty. Ignored with a virtual clock.
  std::function<Time()> clock;
  // When set: the engine's clock. Open moves it forward (never back) to the
  // latest event's time; then GET/POST /v1/clock read and move it (POST is
  // admin only). Without it those routes are 404.
  std::shared_ptr<VirtualClock> virtual_clock;
  // Larger request bodies get 400.
  size_t max_body_bytes = 8u << 20;
  // How long a query waits for the projections to reach the head.
  std::chrono::milliseconds read_your_writes_timeout{5000};
  // Live progress (Watch, GET /v1/stream) is computed at most once per
  // interval, however fast reports arrive; the latest value always follows.
  std::chrono::milliseconds stream_interval{200};
  // fsync each append and projection commit (only benchmarks turn it off).
  bool sync = true;
  // Signed checkpoints of the log's Merkle tree (docs/audit.md): the signer
  // key file written by `rotorctl keys init` (none: the tree is kept and
  // proofs are served, but no checkpoint is signed), the origin line (the
  // key's name when empty), and how often to sign.
  std::string checkpoint_key_path;
  std::string log_origin;
  uint64_t checkpoint_every_events = 10000;
  // Memory for the tree's tiles that proofs read (MerkleStoreOptions).
  size_t merkle_cache_bytes = size_t{64} << 20;
  // Snapshots of the deciders' state (docs/storage.md): after this many new
  // events (0: only at Close), no more often than the interval.
  uint64_t state_snapshot_every_events = 100000;
  bool ignore_state_snapshots = false;  // fold the whole log at Open
  std::chrono::milliseconds state_snapshot_min_interval{std::chrono::seconds(30)};
  std::chrono::milliseconds checkpoint_every{std::chrono::seconds(60)};
  // Every this many events the projections keep a snapshot of their state,
  // so an as-of query folds only the events after the nearest one
  // (docs/storage.md, "Snapshots"). 0: none.
  uint64_t snapshot_every_events = 1000000;
  // Called with each newly signed checkpoint (rotord publishes it to Kafka),
  // and at Open with the latest one when its tree size is larger than
  // `checkpoint_published_size` (NotaryOptions).
  std::function<void(uint64_t tree_size, const std::string& note)> on_checkpoint;
  uint64_t checkpoint_published_size = UINT64_MAX;
};

struct EngineCore;

class Engine final : public Api {
 public:
  // Opens (creating) the data directory, loads or rebuilds the projections
  // (a store that does not match the log is rebuilt from zero), starts the
  // runners, catches the command service up, and loads the CA when
  // configured. Errors: kIoError (cannot open, the directory is locked by
  // another process), kCorruption, kInvalidArgument (a bad CA, only one of
  // the CA files).
  static Result<std::unique_ptr<Engine>> Open(EngineOptions options);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  ApiResponse Handle(const ApiRequest& request) override;
  bool IsPublic(std::string_view method, std::string_view path) const override;
  Status Watch(const Principal& principal,
               const std::function<bool(const std::string&)>& on_change) override;
  Result<std::unique_ptr<LiveFeed>> OpenFeed(const Principal& principal,
                                             std::function<void()> wake) override;
  // Counts the denial in rotor_requests_denied_total.
  void RecordDenied(Denial denial) override;
  // Refuses a client certificate of the CEM CA that the log revoked
  // (RevocationLedger, the same answer as the CRL and OCSP). Without a CA,
  // or for another issuer's certificate, OK.
  Status CheckClientCertificate(std::string_view issuer, std::string_view serial_hex) override;

  // Runs domain::FlagStaleAgents at the clock's now with the configured
  // threshold, as `actor`. Returns how many agents were flagged. Errors: as
  // CommandService::Execute.
  Result<size_t> SweepStale(const std::string& actor = "system:sweeper");

  // The clock's current time.
  Time Now() const;
  // The log's head sequence.
  uint64_t Head() const;
  // Blocks until both projections committed `sequence`, or `timeout`.
  // Returns true when they did.
  bool WaitForProjections(uint64_t sequence, std::chrono::milliseconds timeout) const;
  // OK while the log is open and the projections are running.
  Status Health() const;

  // The event log and the command service, for in-process adapters (rotord's
  // Kafka relay and report consumer). Valid until the engine is destroyed;
  // after Close() appends return kCancelled.
  EventLog& log();
  domain::CommandService& commands();

  // Ends every Watch (within a quarter second); commands still run.
  void BeginShutdown();
  // BeginShutdown, then stops the runners (each after its last commit) and
  // closes the log. Idempotent.
  void Close();

 private:
  explicit Engine(std::unique_ptr<EngineCore> core);
  std::unique_ptr<EngineCore> core_;
};

}  // namespace rotor::app
