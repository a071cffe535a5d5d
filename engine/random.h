// Rng: the seeded generator behind every random choice of training (head initialisation,
// shuffling). SplitMix64 (Steele, Lea, Flood 2014): a 64-bit counter mixed by a fixed
// finaliser; the same seed gives the same stream on every platform and compiler, which
// std::uniform_*_distribution does not promise.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/common/counter_rng.h"

namespace tl {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next_u64() {
    const uint64_t z = math::splitmix64(state_);
    state_ += 0x9E3779B97F4A7C15ull;
    return z;
  }
  double uniform() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  float uniform(float lo, float hi) {
    return static_cast<float>(lo + (static_cast<double>(hi) - lo) * uniform());
  }
  // Uniform integer in [0, bound), without modulo bias (rejection of the incomplete last block).
  uint64_t below(uint64_t bound);
  // A uniformly random permutation of 0 .. n-1 (Fisher-Yates).
  std::vector<int64_t> permutation(int64_t n);

 private:
  uint64_t state_;
};

}  // namespace tl
