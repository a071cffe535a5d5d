// CPU GEMM: C = alpha * op(A) op(B) + beta * C, row-major float32 (see GemmShape).
#pragma once

#include "kernels/common/gemm_shape.h"

namespace tl::cpu {

// OpenBLAS cblas_sgemm: the fast CPU path used by the layers.
void gemm(const GemmShape& s, const float* a, const float* b, float* c);

// Cache-blocked triple loop, ours: kept as a readable reference and benchmark peer.
void gemm_blocked(const GemmShape& s, const float* a, const float* b, float* c);

}  // namespace tl::cpu
