// CUDA elementwise ops on contiguous float32 device buffers, queued on `stream`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tl::cuda {

void fill(float* y, int64_t n, float value, cudaStream_t stream);
void add(const float* a, const float* b, float* y, int64_t n, cudaStream_t stream);
void relu(const float* x, float* y, int64_t n, cudaStream_t stream);

}  // namespace tl::cuda
