// CPU fully connected layer (PyTorch's nn.Linear convention), float32, row-major.
//   x: (N, I)   w: (O, I)   b: (O)   y: (N, O)
#pragma once

#include <cstdint>

namespace tl::cpu {

// y = x w^T + b
void linear_forward(const float* x, const float* w, const float* b, float* y, int64_t n, int64_t in,
                    int64_t out);

// Given dy (N, O): dx = dy w (skipped when dx is null), dw = dy^T x, db = sum over rows of dy.
// dw and db are overwritten, not accumulated.
void linear_backward(const float* x, const float* w, const float* dy, float* dx, float* dw, float* db,
                     int64_t n, int64_t in, int64_t out);

}  // namespace tl::cpu
