// Timing helpers shared by the benchmarks: warm up, repeat, report the median.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace tl::bench {

// Median wall time in seconds of `fn` over `repeats` runs after `warmup` runs (steady clock).
// `fn` must finish its work before returning (a GPU caller synchronises inside).
inline double median_seconds(const std::function<void()>& fn, int repeats, int warmup = 1) {
  for (int i = 0; i < warmup; ++i) fn();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

}  // namespace tl::bench
