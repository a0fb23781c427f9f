// ForwardingStore: a ProjectionStore that passes every call to another one,
// for tests to override the calls they disturb (a failing commit, a slow
// snapshot). Test-only; as thread-safe as the store it forwards to.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "projections/store.h"

namespace rotor::projections {

class ForwardingStore : public ProjectionStore {
 public:
  explicit ForwardingStore(ProjectionStore& inner) : inner_(inner) {}
  Result<std::unique_ptr<StoreBatch>> NewBatch(std::string_view name) override {
    return inner_.NewBatch(name);
  }
  Status Commit(StoreBatch& batch, const Checkpoint& checkpoint) override {
    return inner_.Commit(batch, checkpoint);
  }
  Result<Checkpoint> ReadCheckpoint(std::string_view name) const override {
    return inner_.ReadCheckpoint(name);
  }
  Result<std::unique_ptr<KvReader>> NewReader(std::string_view name) const override {
    return inner_.NewReader(name);
  }
  Status PutSnapshot(std::string_view name, uint64_t sequence, std::string_view bytes) override {
    return inner_.PutSnapshot(name, sequence, bytes);
  }
  Result<std::vector<uint64_t>> ListSnapshots(std::string_view name) const override {
    return inner_.ListSnapshots(name);
  }
  Result<std::string> ReadSnapshot(std::string_view name, uint64_t sequence) const override {
    return inner_.ReadSnapshot(name, sequence);
  }
  Status DeleteSnapshot(std::string_view name, uint64_t sequence) override {
    return inner_.DeleteSnapshot(name, sequence);
  }

 private:
  ProjectionStore& inner_;
};

}  // namespace rotor::projections
