// CPU pooling over (N, H, W, C) activations.
#pragma once

#include "kernels/common/conv_shape.h"

namespace tl::cpu {

// y: (N, P, Q, C) = max over each k x k window of x: (N, H, W, C). Padded cells never win
// (they count as -inf, like PyTorch's MaxPool2d).
void max_pool2d(const Pool2dShape& s, const float* x, float* y);

// y: (N, C) = mean over H x W of x: (N, H, W, C).
void global_avg_pool(int64_t n, int64_t hw, int64_t c, const float* x, float* y);

}  // namespace tl::cpu
