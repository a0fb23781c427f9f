#include "projections/fleet_keys.h"

#include "base/coding.h"

namespace rotor::projections::fleet_keys {

std::string IdKey(char kind, uint32_t id) {
  std::string key(1, kind);
  PutBigEndian32(&key, id);
  return key;
}

std::string PairKey(char kind, uint32_t first, uint32_t second) {
  std::string key = IdKey(kind, first);
  PutBigEndian32(&key, second);
  return key;
}

bool ParseIdKey(std::string_view key, uint32_t* id) {
  if (key.size() != kIdKeyBytes) return false;
  *id = DecodeBigEndian32(key.data() + 1);
  return true;
}

bool ParsePairKey(std::string_view key, uint32_t* first, uint32_t* second) {
  if (key.size() != kPairKeyBytes) return false;
  *first = DecodeBigEndian32(key.data() + 1);
  *second = DecodeBigEndian32(key.data() + 5);
  return true;
}

}  // namespace rotor::projections::fleet_keys
