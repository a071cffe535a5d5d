// CPU reference elementwise ops on contiguous float32 buffers (OpenMP across elements).
#pragma once

#include <cstdint>

namespace tl::cpu {

void fill(float* y, int64_t n, float value);                      // y[i] = value
void add(const float* a, const float* b, float* y, int64_t n);     // y[i] = a[i] + b[i]
void relu(const float* x, float* y, int64_t n);                    // y[i] = max(x[i], 0)

}  // namespace tl::cpu
