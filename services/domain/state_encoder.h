// StateEncoder: the snapshot encoding of a DomainState (state_codec.h,
// format version 2) built in small pieces while the state keeps changing, so
// that the command service holds its lock for one piece at a time (a slice
// of interned strings or a chunk of agents: well under a millisecond) and
// commands run in between, rather than waiting while a whole fleet is
// encoded.
//
// How the pieces stay one consistent state: interned strings are never
// changed or removed, so a slice encoded once stays right; the agents are
// encoded a chunk at a time with DomainState::changed marking, from the first
// Step on, every chunk Evolve touches afterwards. Once every chunk was
// encoded, marked chunks are encoded again (one per Step while many are
// marked); the last Step encodes what is still marked, new agents, new
// strings and the small rest of the state (certificates, rollouts, gateways,
// stream versions) in one hold, and that is the state at its last_sequence.
//
// Usage, with the state's lock held during each Step only:
//   StateEncoder encoder;
//   while (!encoder.Step(state, &state.changed)) { /* release and retake the lock */ }
//   encoder.Parts()  // the encoding, in order
// A caller that gives up before the end must call Abort(&state.changed).
//
// Thread-compatible: one encoder per snapshot; Step needs the state's lock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/domain/state.h"

namespace rotor::domain {

class StateEncoder {
 public:
  struct Options {
    uint32_t chunk_agents = 4096;   // agents a piece
    uint32_t slice_strings = 8192;  // interned strings a piece
    // The last Step re-encodes at most about this many marked chunks; more
    // are re-encoded one per Step first (at most once the number of chunks).
    size_t final_marked_chunks = 8;
  };

  StateEncoder() : StateEncoder(Options()) {}
  explicit StateEncoder(Options options);

  // Encodes the next piece of `state`. `changed` is the state's own
  // DomainState::changed (nullptr: the state does not change between steps,
  // e.g. a one-shot encoding); the first Step starts its marking and the last
  // stops it. Returns true when the encoding is complete.
  bool Step(const DomainState& state, ChangedChunks* changed);
  // Stops the marking of an encoding given up before its end.
  void Abort(ChangedChunks* changed);

  // After Step returned true: the state's last_sequence, and the encoding as
  // parts to be written one after another (views into this encoder).
  uint64_t sequence() const { return sequence_; }
  std::vector<std::string_view> Parts() const;

 private:
  enum class Phase : uint8_t { kStart, kStrings, kChunks, kMarked, kDone };
  static constexpr size_t kInterners = 3;  // fingerprints, names, agent ids (encoding order)

  static const StringInterner& InternerOf(const DomainState& s, size_t which);
  size_t ChunkCount(const DomainState& s) const;
  // Encodes the next slice of an interner that has strings not yet encoded;
  // false when none has.
  bool EncodeSlice(const DomainState& s);
  void EncodeChunk(const DomainState& s, size_t chunk);
  // The last piece (see above).
  void Finish(const DomainState& s, ChangedChunks* changed);

  const Options options_;
  Phase phase_ = Phase::kStart;
  // Each interner's strings so far, encoded, a slice a piece (not one
  // growing string: copying it as it grows would hold the lock longer).
  std::array<std::vector<std::string>, kInterners> slices_;
  std::array<uint32_t, kInterners> encoded_strings_{};
  std::vector<std::string> chunks_;  // by chunk; empty: not encoded yet
  size_t next_chunk_ = 0;
  size_t reencoded_ = 0;  // chunks encoded again in kMarked
  // Written by Finish: the version and sequence, each interner's count, the
  // agents' count and chunk size, and the rest of the state.
  std::string head_;
  std::array<std::string, kInterners> counts_;
  std::string agents_head_;
  std::string tail_;
  uint64_t sequence_ = 0;
};

}  // namespace rotor::domain
