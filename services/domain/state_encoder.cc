#include "services/domain/state_encoder.h"

#include <algorithm>

#include "services/domain/state_codec.h"
#include "services/domain/state_codec_io.h"

namespace rotor::domain {

using state_codec::Writer;

StateEncoder::StateEncoder(Options options) : options_(options) {}

const StringInterner& StateEncoder::InternerOf(const DomainState& s, size_t which) {
  switch (which) {
    case 0:
      return s.fingerprints;
    case 1:
      return s.names;
    default:
      return s.agent_ids;
  }
}

size_t StateEncoder::ChunkCount(const DomainState& s) const {
  return (s.agents.size() + options_.chunk_agents - 1) / options_.chunk_agents;
}

bool StateEncoder::EncodeSlice(const DomainState& s) {
  for (size_t which = 0; which < kInterners; ++which) {
    const StringInterner& in = InternerOf(s, which);
    uint32_t& from = encoded_strings_[which];
    if (from == in.size()) continue;
    uint32_t to =
        static_cast<uint32_t>(std::min<size_t>(in.size(), size_t{from} + options_.slice_strings));
    Writer w;
    for (uint32_t id = from; id < to; ++id) w.S(in.Get(id));
    slices_[which].push_back(w.Take());
    from = to;
    return true;
  }
  return false;
}

void StateEncoder::EncodeChunk(const DomainState& s, size_t chunk) {
  if (chunk >= chunks_.size()) chunks_.resize(chunk + 1);
  const size_t first = chunk * options_.chunk_agents;
  const size_t end = std::min(s.agents.size(), first + options_.chunk_agents);
  Writer w;
  state_codec::EncodeAgents(w, s, static_cast<uint32_t>(first), static_cast<uint32_t>(end));
  chunks_[chunk] = w.Take();
}

bool StateEncoder::Step(const DomainState& state, ChangedChunks* changed) {
  switch (phase_) {
    case Phase::kStart:
      if (changed != nullptr) changed->Start(options_.chunk_agents);
      phase_ = Phase::kStrings;
      [[fallthrough]];
    case Phase::kStrings:
      if (EncodeSlice(state)) return false;
      phase_ = Phase::kChunks;
      [[fallthrough]];
    case Phase::kChunks:
      if (next_chunk_ < ChunkCount(state)) {
        if (changed != nullptr) (void)changed->Take(next_chunk_);
        EncodeChunk(state, next_chunk_++);
        return false;
      }
      phase_ = Phase::kMarked;
      [[fallthrough]];
    case Phase::kMarked:
      if (changed != nullptr && changed->Count() > options_.final_marked_chunks &&
          reencoded_ < chunks_.size()) {
        for (size_t chunk = 0; chunk < chunks_.size(); ++chunk) {
          if (!changed->Take(chunk)) continue;
          EncodeChunk(state, chunk);
          ++reencoded_;
          return false;
        }
      }
      Finish(state, changed);
      phase_ = Phase::kDone;
      return true;
    case Phase::kDone:
      return true;
  }
  return true;
}

void StateEncoder::Finish(const DomainState& s, ChangedChunks* changed) {
  while (EncodeSlice(s)) {
  }
  const size_t chunk_count = ChunkCount(s);
  const size_t encoded = std::min(chunks_.size(), chunk_count);
  for (size_t chunk = 0; chunk < chunk_count; ++chunk) {
    bool marked = changed != nullptr && changed->Take(chunk);
    if (chunk >= encoded || marked) EncodeChunk(s, chunk);
  }
  chunks_.resize(chunk_count);
  if (changed != nullptr) changed->Stop();
  sequence_ = s.last_sequence;
  Writer head;
  head.U(kStateFormatVersion);
  head.U(s.last_sequence);
  head_ = head.Take();
  for (size_t which = 0; which < kInterners; ++which) {
    Writer count;
    count.U(InternerOf(s, which).size());
    counts_[which] = count.Take();
  }
  Writer agents;
  agents.U(s.agents.size());
  agents.U(options_.chunk_agents);
  agents_head_ = agents.Take();
  Writer tail;
  state_codec::EncodeRest(tail, s);
  tail_ = tail.Take();
}

void StateEncoder::Abort(ChangedChunks* changed) {
  if (changed != nullptr && phase_ != Phase::kStart && phase_ != Phase::kDone) changed->Stop();
  phase_ = Phase::kDone;
}

std::vector<std::string_view> StateEncoder::Parts() const {
  std::vector<std::string_view> parts;
  parts.reserve(kInterners + slices_[0].size() + slices_[1].size() + slices_[2].size() +
                chunks_.size() + 3);
  parts.push_back(head_);
  for (size_t which = 0; which < kInterners; ++which) {
    parts.push_back(counts_[which]);
    for (const std::string& slice : slices_[which]) parts.push_back(slice);
  }
  parts.push_back(agents_head_);
  for (const std::string& chunk : chunks_) parts.push_back(chunk);
  parts.push_back(tail_);
  return parts;
}

}  // namespace rotor::domain
