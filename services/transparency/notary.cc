#include "services/transparency/notary.h"

#include <spdlog/spdlog.h>

namespace rotor::transparency {
namespace {

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::get("notary");
    return l != nullptr ? l : spdlog::default_logger()->clone("notary");
  }();
  return logger;
}

}  // namespace

Notary::Notary(const EventLog& log, MerkleStore& tree, std::optional<NoteSigner> signer,
               NotaryOptions options)
    : log_(log), tree_(tree), signer_(std::move(signer)), options_(std::move(options)) {
  Result<std::optional<std::pair<uint64_t, std::string>>> latest = tree_.LatestCheckpoint();
  if (latest.ok() && latest->has_value()) last_signed_size_ = (*latest)->first;
}

Notary::~Notary() { Stop(); }

void Notary::Start() {
  if (thread_.joinable()) return;
  PublishUnpublished();
  stop_.store(false);
  thread_ = std::thread([this] { Run(); });
}

void Notary::Stop() {
  stop_.store(true);
  log_.WakeWaiters();
  if (thread_.joinable()) thread_.join();
}

Result<uint64_t> Notary::CatchUp() { return tree_.CatchUp(log_); }

void Notary::PublishUnpublished() {
  if (!options_.on_checkpoint) return;
  MutexLock lock(&sign_mu_);
  Result<std::optional<std::pair<uint64_t, std::string>>> latest = tree_.LatestCheckpoint();
  if (!latest.ok()) {
    Logger()->error("reading the latest checkpoint: {}", latest.status().ToString());
    return;
  }
  if (!latest->has_value() || (*latest)->first <= options_.published_size) return;
  Logger()->info("publishing again the checkpoint of tree size {} (the last acknowledged: {})",
                 (*latest)->first, options_.published_size);
  options_.on_checkpoint((*latest)->first, (*latest)->second);
  options_.published_size = (*latest)->first;
}

std::string Notary::VerifierKey() const { return signer_ ? signer_->VerifierKey() : ""; }

std::string Notary::last_error() const {
  MutexLock lock(&error_mu_);
  return last_error_;
}

Result<std::string> Notary::SignLocked(uint64_t size) {
  if (size == last_signed_size_) {
    Result<std::optional<std::string>> stored = tree_.Checkpoint(size);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) return **stored;
  }
  Result<Sha256Digest> root = tree_.Root(size);
  if (!root.ok()) return root.status();
  Result<std::string> note =
      signer_->Sign(FormatCheckpoint(Checkpoint{options_.origin, size, *root}));
  if (!note.ok()) return note.status();
  ROTOR_RETURN_IF_ERROR(tree_.PutCheckpoint(size, *note));
  last_signed_size_ = size;
  if (options_.on_checkpoint) options_.on_checkpoint(size, *note);
  return note;
}

Result<std::string> Notary::SignNow() {
  if (!signer_) {
    return Status::FailedPrecondition(
        "no checkpoint key is configured (rotorctl keys init, then rotord --checkpoint-key)");
  }
  Result<uint64_t> size = CatchUp();
  if (!size.ok()) return size.status();
  MutexLock lock(&sign_mu_);
  return SignLocked(*size);
}

void Notary::Run() {
  auto last_time = std::chrono::steady_clock::now();
  while (!stop_.load()) {
    log_.WaitForAppend(tree_.size(), std::chrono::milliseconds(500), &stop_);
    if (stop_.load()) break;
    Result<uint64_t> size = CatchUp();
    if (!size.ok()) {
      MutexLock lock(&error_mu_);
      if (last_error_ != size.status().ToString()) {
        last_error_ = size.status().ToString();
        Logger()->error("merkle tree: {}", last_error_);
      }
      continue;
    }
    if (!signer_) continue;
    auto now = std::chrono::steady_clock::now();
    MutexLock lock(&sign_mu_);
    bool grew = *size > last_signed_size_;
    bool due =
        *size - last_signed_size_ >= options_.every_events || now - last_time >= options_.every;
    if (!grew || !due) continue;
    Result<std::string> note = SignLocked(*size);
    if (!note.ok()) {
      Logger()->error("signing checkpoint of tree size {}: {}", *size, note.status().ToString());
      continue;
    }
    last_time = now;
  }
}

}  // namespace rotor::transparency
