// How far a result is from its reference, as the benchmarks validate before timing:
// max |a - b| over max |b| (one scale for the whole tensor, so that elements that cancel to
// near zero do not dominate). Infinite when any difference is not finite (NaN, Inf).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace tl::bench {

inline double max_relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0, scale = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
    worst = std::isfinite(d) ? std::max(worst, d) : INFINITY;
    scale = std::max(scale, std::fabs(static_cast<double>(b[i])));
  }
  if (a.size() != b.size()) return INFINITY;
  return worst / std::max(scale, 1e-30);
}

}  // namespace tl::bench
