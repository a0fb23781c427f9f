#include "projections/store.h"

#include <algorithm>

#include "projections/encoding.h"

namespace rotor::projections {

std::string EncodeCheckpoint(const Checkpoint& checkpoint) {
  std::string out;
  PutVarint(&out, checkpoint.sequence);
  PutSigned(&out, ToMicros(checkpoint.recorded_at));
  out.append(reinterpret_cast<const char*>(checkpoint.hash.data()), checkpoint.hash.size());
  return out;
}

Result<Checkpoint> DecodeCheckpoint(std::string_view bytes) {
  Checkpoint cp;
  Reader in(bytes);
  int64_t at = 0;
  std::string_view hash;
  if (!in.Varint(&cp.sequence) || !in.Signed(&at) || !in.Fixed(cp.hash.size(), &hash) ||
      !in.done()) {
    return Status::Corruption("projection checkpoint does not decode");
  }
  cp.recorded_at = TimeFromMicros(at);
  std::copy(hash.begin(), hash.end(), cp.hash.begin());
  return cp;
}

}  // namespace rotor::projections
