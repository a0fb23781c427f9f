#include "projections/memory_store.h"

#include <optional>
#include <utility>
#include <vector>

namespace rotor::projections {
namespace {

class MemoryBatch final : public StoreBatch {
 public:
  explicit MemoryBatch(std::string name) : name_(std::move(name)) {}
  void Put(std::string_view key, std::string_view value) override {
    size_ += key.size() + value.size();
    ops_.emplace_back(std::string(key), std::string(value));
  }
  void Delete(std::string_view key) override {
    size_ += key.size();
    ops_.emplace_back(std::string(key), std::nullopt);
  }
  void ClearAll() override { clear_ = true; }
  size_t ApproximateSize() const override { return size_; }

  std::string name_;
  bool clear_ = false;
  size_t size_ = 0;
  std::vector<std::pair<std::string, std::optional<std::string>>> ops_;
};

class MemoryReader final : public KvReader {
 public:
  explicit MemoryReader(std::map<std::string, std::string, std::less<>> snapshot)
      : snapshot_(std::move(snapshot)) {}
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    for (auto it = snapshot_.lower_bound(prefix);
         it != snapshot_.end() && it->first.starts_with(prefix); ++it) {
      if (!visit(it->first, it->second)) break;
    }
    return Status::Ok();
  }
  std::string LastKey(std::string_view prefix) const override {
    std::string last;
    for (auto it = snapshot_.lower_bound(prefix);
         it != snapshot_.end() && it->first.starts_with(prefix); ++it) {
      last = it->first;
    }
    return last;
  }

 private:
  std::map<std::string, std::string, std::less<>> snapshot_;
};

}  // namespace

Result<std::unique_ptr<StoreBatch>> MemoryProjectionStore::NewBatch(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("projection name is empty");
  return std::unique_ptr<StoreBatch>(new MemoryBatch(std::string(name)));
}

Status MemoryProjectionStore::Commit(StoreBatch& batch, const Checkpoint& checkpoint) {
  auto& b = static_cast<MemoryBatch&>(batch);
  MutexLock lock(&mu_);
  KeySpace& space = spaces_[b.name_];
  if (b.clear_) space.clear();
  for (auto& [key, value] : b.ops_) {
    if (value.has_value()) {
      space[key] = *value;
    } else {
      space.erase(key);
    }
  }
  space[std::string(kCheckpointKey)] = EncodeCheckpoint(checkpoint);
  return Status::Ok();
}

Result<Checkpoint> MemoryProjectionStore::ReadCheckpoint(std::string_view name) const {
  MutexLock lock(&mu_);
  auto space = spaces_.find(name);
  if (space == spaces_.end()) return Checkpoint{};
  auto it = space->second.find(kCheckpointKey);
  if (it == space->second.end()) return Checkpoint{};
  return DecodeCheckpoint(it->second);
}

Result<std::unique_ptr<KvReader>> MemoryProjectionStore::NewReader(std::string_view name) const {
  MutexLock lock(&mu_);
  auto space = spaces_.find(name);
  KeySpace copy = space == spaces_.end() ? KeySpace{} : space->second;
  return std::unique_ptr<KvReader>(new MemoryReader(std::move(copy)));
}

Status MemoryProjectionStore::PutSnapshot(std::string_view name, uint64_t sequence,
                                          std::string_view bytes) {
  if (name.empty()) return Status::InvalidArgument("projection name is empty");
  MutexLock lock(&mu_);
  snapshots_[{std::string(name), sequence}] = std::string(bytes);
  return Status::Ok();
}

Result<std::vector<uint64_t>> MemoryProjectionStore::ListSnapshots(std::string_view name) const {
  MutexLock lock(&mu_);
  std::vector<uint64_t> out;
  for (const auto& [key, bytes] : snapshots_) {
    if (key.first == name) out.push_back(key.second);
  }
  return out;
}

Result<std::string> MemoryProjectionStore::ReadSnapshot(std::string_view name,
                                                        uint64_t sequence) const {
  MutexLock lock(&mu_);
  auto it = snapshots_.find({std::string(name), sequence});
  if (it == snapshots_.end()) {
    return Status::NotFound("no snapshot of '" + std::string(name) + "' at sequence " +
                            std::to_string(sequence));
  }
  return it->second;
}

Status MemoryProjectionStore::DeleteSnapshot(std::string_view name, uint64_t sequence) {
  MutexLock lock(&mu_);
  snapshots_.erase({std::string(name), sequence});
  return Status::Ok();
}

std::string* MemoryProjectionStore::MutableSnapshot(std::string_view name, uint64_t sequence) {
  MutexLock lock(&mu_);
  auto it = snapshots_.find({std::string(name), sequence});
  return it == snapshots_.end() ? nullptr : &it->second;
}

size_t MemoryProjectionStore::KeyCount(std::string_view name) const {
  MutexLock lock(&mu_);
  auto space = spaces_.find(name);
  return space == spaces_.end() ? 0 : space->second.size();
}

}  // namespace rotor::projections
