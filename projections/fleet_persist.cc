// FleetProjection: persistence, through the store codec (fleet_codec.h).
#include "projections/fleet_projection.h"

namespace rotor::projections {

void FleetProjection::WriteChanges(KvWriter& out) {
  if (!track_) return WriteAll(out);
  WriteFleetChanges(model_, rollouts_, meta_, &changes_, out);
}

void FleetProjection::WriteAll(KvWriter& out) {
  WriteFleet(model_, rollouts_, meta_, &changes_, out);
}

Status FleetProjection::Load(const KvReader& in) {
  const bool track = track_;
  Clear();
  Status loaded = LoadFleet(in, &model_, &rollouts_, &meta_);
  if (loaded.ok()) {
    changes_.AllWritten(model_);
  } else {
    Clear();  // nothing half-loaded stays
  }
  track_ = track;
  return loaded;
}

size_t FleetProjection::MemoryBytes() const {
  return model_.MemoryBytes() + rollouts_.MemoryBytes();
}

}  // namespace rotor::projections
