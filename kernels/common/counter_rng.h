// Counter-based random numbers: the value for element i depends only on (seed, i), not on
// the order in which elements are visited. The CPU reference and a CUDA kernel (one thread
// per element) therefore draw exactly the same dropout mask for the same seed.
//
// The mixer is SplitMix64's finaliser (Steele, Lea, Flood 2014) applied to seed * golden + i;
// the top 24 bits become a float in [0, 1).
#pragma once

#include <cstdint>

#include "kernels/common/host_device.h"

namespace tl::math {

TL_HD uint64_t splitmix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, 1) with 24 random bits (exactly representable in float32).
TL_HD float counter_uniform(uint64_t seed, uint64_t index) {
  const uint64_t bits = splitmix64(splitmix64(seed) ^ index);
  return static_cast<float>(bits >> 40) * (1.0f / 16777216.0f);
}

}  // namespace tl::math
