// CPU dropout (inverted, as PyTorch: kept elements are scaled by 1/(1-p) in training) and
// the ReLU backward, float32. The mask comes from math::counter_uniform(seed, offset + i),
// so a CUDA kernel reproduces it exactly.
#pragma once

#include <cstdint>

namespace tl::cpu {

// keep[i] = counter_uniform(seed, offset + i) >= p; y[i] = keep ? x[i] / (1 - p) : 0.
// mask receives keep as 0/1. Requires 0 <= p < 1.
void dropout_forward(const float* x, float* y, uint8_t* mask, int64_t n, float p, uint64_t seed,
                     uint64_t offset);

// dx[i] = mask[i] ? dy[i] / (1 - p) : 0
void dropout_backward(const float* dy, const uint8_t* mask, float* dx, int64_t n, float p);

// dx[i] = y[i] > 0 ? dy[i] : 0, with y = relu(x) (the output, which the layer keeps anyway).
void relu_backward(const float* y, const float* dy, float* dx, int64_t n);

}  // namespace tl::cpu
