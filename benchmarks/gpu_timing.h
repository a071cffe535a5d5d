// GPU timing for the benchmarks: CUDA events around `fn` on the default stream of tl's device
// work (the caller passes the stream its work is queued on), one warm-up, median of `repeats`.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

#include "kernels/cuda/cuda_check.h"

namespace tl::bench {

template <typename Fn>
double median_gpu_seconds(Fn fn, int repeats, cudaStream_t stream) {
  cudaEvent_t start, stop;
  TL_CUDA_CHECK(cudaEventCreate(&start));
  TL_CUDA_CHECK(cudaEventCreate(&stop));
  fn();  // warm-up (also cuDNN's algorithm search, cached afterwards)
  TL_CUDA_CHECK(cudaStreamSynchronize(stream));
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    TL_CUDA_CHECK(cudaEventRecord(start, stream));
    fn();
    TL_CUDA_CHECK(cudaEventRecord(stop, stream));
    TL_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    TL_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    times.push_back(ms * 1e-3);
  }
  TL_CUDA_CHECK(cudaEventDestroy(start));
  TL_CUDA_CHECK(cudaEventDestroy(stop));
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

}  // namespace tl::bench
