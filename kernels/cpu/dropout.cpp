// CPU dropout and ReLU backward: one memory-bound pass over n elements each.
#include "kernels/cpu/dropout.h"

#include "kernels/common/counter_rng.h"
#include "kernels/cpu/threads.h"

namespace tl::cpu {

void dropout_forward(const float* x, float* y, uint8_t* mask, int64_t n, float p, uint64_t seed,
                     uint64_t offset) {
  const float scale = 1.0f / (1.0f - p);
#pragma omp parallel for schedule(static) if (n >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) {
    const bool keep = math::counter_uniform(seed, offset + static_cast<uint64_t>(i)) >= p;
    mask[i] = keep ? 1 : 0;
    y[i] = keep ? x[i] * scale : 0.0f;
  }
}

void dropout_backward(const float* dy, const uint8_t* mask, float* dx, int64_t n, float p) {
  const float scale = 1.0f / (1.0f - p);
#pragma omp parallel for schedule(static) if (n >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) dx[i] = mask[i] ? dy[i] * scale : 0.0f;
}

void relu_backward(const float* y, const float* dy, float* dx, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace tl::cpu
