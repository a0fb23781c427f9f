// Notary: keeps the Merkle tree (events/merkle_store.h) caught up with the
// event log and signs checkpoints of it (checkpoint.h, note.h).
//
// A background thread waits for appends, extends the tree, and signs a
// checkpoint when `every_events` records arrived since the last one or
// `every` passed with at least one new record. SignNow() signs the current
// tree on request. Without a signer the tree is still kept (proofs work) and
// no checkpoint is signed.
//
// Thread safety: all methods are safe to call concurrently. Stop() (or the
// destructor) joins the thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "base/mutex.h"
#include "events/event_log.h"
#include "events/merkle_store.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/note.h"

namespace rotor::transparency {

struct NotaryOptions {
  std::string origin;  // the checkpoints' origin line; names the deployment
  uint64_t every_events = 10000;
  std::chrono::milliseconds every{std::chrono::seconds(60)};
  // Called (on the notary's thread) with each new signed checkpoint, e.g. to
  // publish it to Kafka; and by Start() with the latest stored checkpoint
  // when its tree size is larger than `published_size` (the largest one
  // on_checkpoint's receiver acknowledged before: its delivery was cut
  // short, or it was signed while nothing received them).
  std::function<void(uint64_t size, const std::string& note)> on_checkpoint;
  uint64_t published_size = UINT64_MAX;
};

class Notary {
 public:
  // `log` and `tree` must outlive the notary; `signer` may be empty.
  Notary(const EventLog& log, MerkleStore& tree, std::optional<NoteSigner> signer,
         NotaryOptions options);
  ~Notary();
  Notary(const Notary&) = delete;
  Notary& operator=(const Notary&) = delete;

  void Start();
  void Stop();

  // Extends the tree to the log's head now. Errors: those of MerkleStore::CatchUp.
  Result<uint64_t> CatchUp();
  // Catches up and signs a checkpoint of the whole tree (or returns the
  // stored one when the tree has not grown). Returns the note. Errors:
  // kFailedPrecondition without a signer; those of CatchUp and storing.
  Result<std::string> SignNow() EXCLUDES(sign_mu_);

  bool can_sign() const { return signer_.has_value(); }
  // The verifier key of the signer ("" without one).
  std::string VerifierKey() const;
  const std::string& origin() const { return options_.origin; }
  // The last error of the background thread ("" when none).
  std::string last_error() const;

 private:
  void Run();
  // Hands the latest stored checkpoint to on_checkpoint when it is larger
  // than options_.published_size.
  void PublishUnpublished() EXCLUDES(sign_mu_);
  Result<std::string> SignLocked(uint64_t size) REQUIRES(sign_mu_);

  const EventLog& log_;
  MerkleStore& tree_;
  std::optional<NoteSigner> signer_;
  NotaryOptions options_;

  Mutex sign_mu_;  // serializes signing and storing
  uint64_t last_signed_size_ GUARDED_BY(sign_mu_) = 0;
  mutable Mutex error_mu_;
  std::string last_error_ GUARDED_BY(error_mu_);
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace rotor::transparency
