// SeededRng: the random numbers of the input pipeline (augmentation, shuffling, splits).
//
// SplitMix64 (Steele, Lea, Flood 2014): a 64-bit counter passed through a mixing function.
// Written out here rather than taken from <random> because the standard distributions are
// implementation-defined: the same seed must give the same crops with any compiler.
// It does not reproduce torch's generator; reproducibility is within tl.
#pragma once

#include <cstdint>

namespace tl {

class SeededRng {
 public:
  explicit SeededRng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi): the top 53 bits as a double in [0, 1).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(next() >> 11) * 0x1.0p-53);
  }
  // Uniform integer in [lo, hi] (modulo bias below 2^-40 for the ranges used here).
  int64_t integer(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool coin() { return (next() >> 63) != 0; }

 private:
  uint64_t state_;
};

// One independent seed per (seed, stream, index), e.g. (run seed, epoch, sample): the same
// sample gets the same augmentation whatever thread decodes it.
inline uint64_t derive_seed(uint64_t seed, uint64_t stream, uint64_t index) {
  SeededRng a(seed ^ (stream * 0xD1B54A32D192ED03ull));
  SeededRng b(a.next() ^ (index * 0x8CB92BA72F3D8DD7ull));
  return b.next();
}

}  // namespace tl
