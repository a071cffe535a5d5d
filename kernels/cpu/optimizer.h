// CPU optimizer steps over one parameter tensor of n floats (update rules in
// kernels/common/optimizer_math.h, shared with CUDA).
#pragma once

#include <cstdint>

#include "kernels/common/optimizer_math.h"

namespace tl::cpu {

// momentum_buffer may be null when h.momentum == 0.
void sgd_step(float* param, const float* grad, float* momentum_buffer, int64_t n, const SgdHyper& h);
void adamw_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n,
                const AdamWHyper& h);

}  // namespace tl::cpu
