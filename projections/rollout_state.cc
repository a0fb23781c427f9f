#include "projections/rollout_state.h"

#include <algorithm>

#include "projections/encoding.h"
#include "projections/fleet_keys.h"

namespace rotor::projections {
namespace {

namespace keys = fleet_keys;

// Bounds a decoder accepts (far beyond any real state; larger is corrupt).
constexpr uint64_t kMaxTallies = uint64_t{1} << 24;
constexpr uint64_t kMaxPendingSteps = uint64_t{1} << 20;

void Bump(std::vector<Tally>& tallies, uint32_t id, const Contribution& c, int sign) {
  if (tallies.size() <= id) tallies.resize(id + 1);
  Tally& t = tallies[id];
  auto d = static_cast<uint32_t>(sign);
  t.total += d;
  if (c.rule.received) t.received += d;
  if (c.rule.stale) t.stale += d;
}

void EncodeTallies(const std::vector<Tally>& tallies, std::string* out) {
  PutVarint(out, tallies.size());
  for (const Tally& t : tallies) {
    PutVarint(out, t.total);
    PutVarint(out, t.received);
    PutVarint(out, t.stale);
  }
}

bool DecodeTallies(Reader& in, std::vector<Tally>* tallies) {
  uint64_t n = 0;
  if (!in.Varint(&n) || n > kMaxTallies) return false;
  tallies->resize(n);
  for (Tally& t : *tallies) {
    if (!in.Varint32(&t.total) || !in.Varint32(&t.received) || !in.Varint32(&t.stale)) {
      return false;
    }
  }
  return true;
}

constexpr uint64_t kStaged = 1;
constexpr uint64_t kSwitched = 2;
constexpr uint64_t kFinalized = 4;
constexpr uint64_t kCancelled = 8;
constexpr uint64_t kForced = 16;
constexpr uint64_t kExplicit = 32;

}  // namespace

int64_t ReceiptWindow::Minute(int64_t micros) {
  int64_t m = micros / kBucketMicros;
  return micros % kBucketMicros < 0 ? m - 1 : m;
}

void ReceiptWindow::Add(int64_t at_micros) {
  int64_t m = Minute(at_micros);
  auto i = static_cast<size_t>(((m % kBuckets) + kBuckets) % kBuckets);
  if (minute_[i] == m) {
    ++count_[i];
  } else if (minute_[i] < m || count_[i] == 0) {
    minute_[i] = m;
    count_[i] = 1;
  }  // else: older than the window's newest hour in this slot; dropped
}

uint64_t ReceiptWindow::CountLastHour(int64_t now_micros) const {
  int64_t now = Minute(now_micros);
  uint64_t sum = 0;
  for (int i = 0; i < kBuckets; ++i) {
    if (count_[i] != 0 && minute_[i] <= now && minute_[i] > now - kBuckets) sum += count_[i];
  }
  return sum;
}

void ReceiptWindow::Encode(std::string* out) const {
  auto used = static_cast<size_t>(
      std::count_if(count_.begin(), count_.end(), [](uint32_t c) { return c != 0; }));
  PutVarint(out, used);
  for (int i = 0; i < kBuckets; ++i) {
    if (count_[i] == 0) continue;
    PutVarint(out, static_cast<uint64_t>(i));
    PutSigned(out, minute_[i]);
    PutVarint(out, count_[i]);
  }
}

bool ReceiptWindow::Decode(Reader& in) {
  *this = ReceiptWindow();
  uint64_t used = 0;
  if (!in.Varint(&used) || used > kBuckets) return false;
  for (uint64_t k = 0; k < used; ++k) {
    uint64_t i = 0;
    if (!in.Varint(&i) || i >= kBuckets || !in.Signed(&minute_[i]) || !in.Varint32(&count_[i])) {
      return false;
    }
  }
  return true;
}

bool RolloutState::HasPending(GatewayRefreshStep step) const {
  return std::any_of(pending.begin(), pending.end(),
                     [&](const auto& p) { return p.second == step; });
}

RolloutStatus RolloutState::Status() const {
  LifecycleFacts l;
  l.kind = kind;
  l.finalized = finalized;
  l.cancelled = cancelled;
  l.pre_staged = mode == ReplacementMode::kPreStaged;
  l.staged = staged;
  l.switched = switched;
  l.pending_after_initiate = HasPending(GatewayRefreshStep::kAfterInitiate);
  l.pending_after_finalize = HasPending(GatewayRefreshStep::kAfterFinalize);
  l.pending_any = !pending.empty();
  return StatusOf(l, counters);
}

void RolloutState::Count(const Contribution& c, int sign) {
  counters.Add(c.rule, sign);
  if (!c.rule.counted) return;
  Bump(by_gateway, c.gateway, c, sign);
  Bump(by_site, c.site, c, sign);
}

void RolloutState::ResetCounters() {
  counters = Counters();
  by_gateway.clear();
  by_site.clear();
}

void RolloutState::Encode(std::string* out) const {
  PutBytes(out, id);
  PutVarint(out, static_cast<uint64_t>(kind));
  PutVarint(out, old_fp);
  PutVarint(out, new_fp);
  PutVarint(out, static_cast<uint64_t>(certificate_kind));
  PutVarint(out, static_cast<uint64_t>(mode));
  PutVarint(out, required_staged_permille);
  PutVarint(out, static_cast<uint64_t>(target));
  PutBytes(out, gateway_id);
  PutVarint(out, (staged ? kStaged : 0) | (switched ? kSwitched : 0) |
                     (finalized ? kFinalized : 0) | (cancelled ? kCancelled : 0) |
                     (forced ? kForced : 0) | (explicit_targets ? kExplicit : 0));
  PutSigned(out, initiated_at);
  PutSigned(out, ended_at);
  PutVarint(out, pending.size());
  for (const auto& [gateway, step] : pending) {
    PutVarint(out, gateway);
    PutVarint(out, static_cast<uint64_t>(step));
  }
  receipts.Encode(out);
  if (active()) return;  // counters of an active rollout are recounted on load
  for (uint64_t v : {counters.total, counters.received, counters.stale, counters.stale_outstanding,
                     counters.revoked, counters.not_counted}) {
    PutVarint(out, v);
  }
  EncodeTallies(by_gateway, out);
  EncodeTallies(by_site, out);
}

bool RolloutState::Decode(std::string_view bytes) {
  Reader in(bytes);
  uint64_t k = 0, ck = 0, m = 0, t = 0, flags = 0, n = 0;
  if (!in.Bytes(&id) || !in.Varint(&k) || k > keys::kMaxRolloutKind || !in.Varint32(&old_fp) ||
      !in.Varint32(&new_fp) || !in.Varint(&ck) || ck > keys::kMaxCertificateKind ||
      !in.Varint(&m) || m > keys::kMaxReplacementMode || !in.Varint32(&required_staged_permille) ||
      !in.Varint(&t) || t > keys::kMaxRenewalTarget || !in.Bytes(&gateway_id) ||
      !in.Varint(&flags) || !in.Signed(&initiated_at) || !in.Signed(&ended_at) || !in.Varint(&n) ||
      n > kMaxPendingSteps) {
    return false;
  }
  kind = static_cast<RolloutKind>(k);
  certificate_kind = static_cast<CertificateKind>(ck);
  mode = static_cast<ReplacementMode>(m);
  target = static_cast<RenewalTarget>(t);
  staged = flags & kStaged;
  switched = flags & kSwitched;
  finalized = flags & kFinalized;
  cancelled = flags & kCancelled;
  forced = flags & kForced;
  explicit_targets = flags & kExplicit;
  pending.clear();
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t gateway = 0;
    uint64_t step = 0;
    if (!in.Varint32(&gateway) || !in.Varint(&step) || step > keys::kMaxGatewayRefreshStep) {
      return false;
    }
    pending.emplace_back(gateway, static_cast<GatewayRefreshStep>(step));
  }
  if (!receipts.Decode(in)) return false;
  ResetCounters();
  if (!active()) {
    for (uint64_t* v : {&counters.total, &counters.received, &counters.stale,
                        &counters.stale_outstanding, &counters.revoked, &counters.not_counted}) {
      if (!in.Varint(v)) return false;
    }
    if (!DecodeTallies(in, &by_gateway) || !DecodeTallies(in, &by_site)) return false;
  }
  return in.done();
}

}  // namespace rotor::projections
