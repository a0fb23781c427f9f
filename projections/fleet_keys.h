// The key schema of the fleet projection's key space (docs/projections.md,
// "Store and checkpoint"), shared by the store codec (fleet_codec.cc) and
// nothing else. BE32 is a big-endian 32-bit id, so keys of one kind sort by
// id and a scan of a kind reads its records in id order.
//
//   kAgent        'a' BE32(agent)               agent record
//   kCertificate  'c' BE32(fingerprint)         certificate
//   kFingerprint  'f' BE32(id)                  interned fingerprint text
//   kGateway      'g' BE32(id)                  interned gateway text
//   kSite         's' BE32(id)                  interned site text
//   kRenewed      'n' BE32(rollout) BE32(agent) the certificate a renewal recorded
//   kRollout      'r' BE32(rollout)             rollout record (counters once ended)
//   kTarget       't' BE32(rollout) BE32(agent) a listed target of a renewal (no value)
//   kMetaKey      'z'                           last sequence, latest recorded_at
//
// Values are varints (zigzag for signed) and length-prefixed strings
// (projections/encoding.h); their fields are listed in fleet_codec.cc. Keys
// are only ever overwritten, never deleted; '~' keys are the runner's.
// Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/event_types.h"
#include "events/progress_rule.h"

namespace rotor::projections::fleet_keys {

// Record kinds: the first byte of every key.
inline constexpr char kAgent = 'a';
inline constexpr char kCertificate = 'c';
inline constexpr char kFingerprint = 'f';
inline constexpr char kGateway = 'g';
inline constexpr char kSite = 's';
inline constexpr char kRenewed = 'n';
inline constexpr char kRollout = 'r';
inline constexpr char kTarget = 't';
// The one key of its kind.
inline constexpr std::string_view kMetaKey = "z";

// Key sizes: the kind byte and one or two BE32 ids.
inline constexpr size_t kIdKeyBytes = 1 + 4;
inline constexpr size_t kPairKeyBytes = 1 + 4 + 4;

// Interned id 0 of fingerprints, gateways and sites is "" and never stored.
inline constexpr uint32_t kFirstStoredString = 1;

// The flag bits of a certificate record.
inline constexpr uint64_t kCertificateRevoked = 1;
inline constexpr uint64_t kCertificateRegistered = 2;
inline constexpr uint64_t kCertificateFlags = kCertificateRevoked | kCertificateRegistered;

// The largest stored value of each enum (a larger one is corrupt).
inline constexpr uint64_t kMaxRolloutKind = static_cast<uint64_t>(RolloutKind::kRenewal);
inline constexpr uint64_t kMaxCertificateKind =
    static_cast<uint64_t>(CertificateKind::kGatewayReporting);
inline constexpr uint64_t kMaxReplacementMode = static_cast<uint64_t>(ReplacementMode::kPreStaged);
inline constexpr uint64_t kMaxRenewalTarget =
    static_cast<uint64_t>(RenewalTarget::kGatewayReportingCertificate);
inline constexpr uint64_t kMaxGatewayRefreshStep =
    static_cast<uint64_t>(GatewayRefreshStep::kAfterFinalize);

// A key prefix: the kind byte alone (to scan one kind).
inline std::string Prefix(char kind) { return std::string(1, kind); }
// kind BE32(id).
std::string IdKey(char kind, uint32_t id);
// kind BE32(first) BE32(second).
std::string PairKey(char kind, uint32_t first, uint32_t second);
// The id of a key of kIdKeyBytes; false for a key of another size.
bool ParseIdKey(std::string_view key, uint32_t* id);
// The two ids of a key of kPairKeyBytes; false for a key of another size.
bool ParsePairKey(std::string_view key, uint32_t* first, uint32_t* second);

}  // namespace rotor::projections::fleet_keys
