// CPU optimizer steps: one memory-bound pass per parameter tensor.
#include "kernels/cpu/optimizer.h"

#include "kernels/cpu/threads.h"

namespace tl::cpu {

void sgd_step(float* param, const float* grad, float* momentum_buffer, int64_t n, const SgdHyper& h) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) {
    float unused = 0.0f;
    math::sgd_update(param[i], grad[i], momentum_buffer ? momentum_buffer[i] : unused, h);
  }
}

void adamw_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n,
                const AdamWHyper& h) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i) math::adamw_update(param[i], grad[i], exp_avg[i], exp_avg_sq[i], h);
}

}  // namespace tl::cpu
