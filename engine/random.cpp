#include "engine/random.h"

#include <numeric>
#include <utility>

#include "kernels/common/error.h"

namespace tl {

uint64_t Rng::below(uint64_t bound) {
  TL_CHECK(bound > 0, "Rng::below: bound must be positive");
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;  // values >= limit would favour small results
  uint64_t x = next_u64();
  while (x >= limit) x = next_u64();
  return x % bound;
}

std::vector<int64_t> Rng::permutation(int64_t n) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[below(static_cast<uint64_t>(i) + 1)]);
  return order;
}

}  // namespace tl
