// Rng: the simulator's only source of randomness, so a --seed reproduces a
// run exactly. std::mt19937_64's sequence is fixed by the standard; the
// conversions below are written out because the standard's distributions
// may differ between library implementations. Not thread-safe.
#pragma once

#include <cstdint>
#include <random>

namespace rotor::sim {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Between(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return engine_() % n; }
  // True with probability p.
  bool Chance(double p) { return Uniform() < p; }
  // Triangular on [lo, hi] with the mode in the middle (mean of two uniforms).
  double Triangular(double lo, double hi) { return lo + (hi - lo) * (Uniform() + Uniform()) / 2; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace rotor::sim
