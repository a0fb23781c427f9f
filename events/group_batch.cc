#include "events/group_batch.h"

#include <algorithm>

namespace rotor {
namespace {

constexpr size_t kKeepEntries = 1 << 16;  // map buckets and vector slots kept between groups

template <typename T>
void ResetVector(std::vector<T>* v) {
  if (v->capacity() > kKeepEntries) {
    std::vector<T>().swap(*v);
  } else {
    v->clear();
  }
}

template <typename Map>
void ResetMap(Map* m) {
  if (m->bucket_count() > kKeepEntries) {
    Map().swap(*m);
  } else {
    m->clear();
  }
}

void ResetString(std::string* s, size_t keep_bytes) {
  if (s->capacity() > keep_bytes) {
    std::string().swap(*s);
  } else {
    s->clear();
  }
}

}  // namespace

void SortedPuts::Add(std::string_view key, std::string_view value) {
  puts_.push_back({bytes_.size(), key.size(), value.size()});
  bytes_.append(key);
  bytes_.append(value);
}

void SortedPuts::WriteTo(rocksdb::WriteBatch* batch) {
  order_.clear();
  for (const Put& p : puts_) order_.push_back(&p);
  std::stable_sort(order_.begin(), order_.end(),
                   [this](const Put* a, const Put* b) { return Key(*a) < Key(*b); });
  for (const Put* p : order_) {
    batch->Put(cf_, rocksdb::Slice(Key(*p).data(), p->key_size),
               rocksdb::Slice(bytes_.data() + p->at + p->key_size, p->value_size));
  }
}

void SortedPuts::Reset(size_t keep_bytes) {
  ResetString(&bytes_, keep_bytes);
  ResetVector(&puts_);
  ResetVector(&order_);
}

void GroupBatch::Reset() {
  if (batch.GetDataSize() > kKeepBytes) {
    batch = rocksdb::WriteBatch();
  } else {
    batch.Clear();
  }
  ResetMap(&versions);
  ResetMap(&seen_keys);
  ResetVector(&pending);
  ResetVector(&sealed);
  streams.Reset(kKeepBytes);
  heads.Reset(kKeepBytes);
  keys.Reset(kKeepBytes);
}

}  // namespace rotor
