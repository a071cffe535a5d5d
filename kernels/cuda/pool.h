// CUDA pooling over (N, H, W, C) device buffers, queued on `stream`. Same semantics as the
// CPU reference (kernels/cpu/pool.h).
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/common/conv_shape.h"

namespace tl::cuda {

// y: (N, P, Q, C) = max over each k x k window of x: (N, H, W, C); padded cells never win.
void max_pool2d(const Pool2dShape& s, const float* x, float* y, cudaStream_t stream);

// y: (N, C) = mean over H x W of x: (N, H, W, C), with hw = H * W.
void global_avg_pool(int64_t n, int64_t hw, int64_t c, const float* x, float* y, cudaStream_t stream);

}  // namespace tl::cuda
