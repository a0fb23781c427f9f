#include "services/app/ocsp_cache.h"

namespace rotor::app {

OcspResponseCache::OcspResponseCache(Micros max_age, size_t max_entries)
    : max_age_(max_age), max_entries_(max_entries) {}

void OcspResponseCache::AdvanceLocked(uint64_t version) {
  if (version <= version_) return;
  version_ = version;
  entries_.clear();
  order_.clear();
}

std::optional<CachedOcspResponse> OcspResponseCache::Find(std::string_view request_der,
                                                          uint64_t version, Time now) {
  MutexLock lock(&mu_);
  AdvanceLocked(version);
  if (version != version_) return std::nullopt;
  auto it = entries_.find(request_der);
  if (it == entries_.end()) return std::nullopt;
  if (now < it->second.produced || now - it->second.produced >= max_age_) return std::nullopt;
  return it->second;
}

void OcspResponseCache::Put(std::string_view request_der, uint64_t version, Time produced,
                            std::string response) {
  MutexLock lock(&mu_);
  AdvanceLocked(version);
  if (version != version_ || max_entries_ == 0 || request_der.size() > kMaxCachedOcspRequestBytes) {
    return;
  }
  auto [it, added] = entries_.insert_or_assign(std::string(request_der),
                                               CachedOcspResponse{produced, std::move(response)});
  if (!added) return;
  order_.push_back(it->first);
  if (order_.size() > max_entries_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

size_t OcspResponseCache::size() const {
  MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace rotor::app
