// GemmShape: the problem C = alpha * op(A) * op(B) + beta * C on row-major, contiguous
// matrices, shared by every GEMM backend (CPU BLAS, our CUDA SGEMM, cuBLAS).
//
//   op(A): (M, K), stored as A (M, K), or as A (K, M) when trans_a
//   op(B): (K, N), stored as B (K, N), or as B (N, K) when trans_b
//   C:     (M, N)
#pragma once

#include <cstdint>

#include "kernels/common/host_device.h"

namespace tl {

struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
  float alpha = 1.0f, beta = 0.0f;

  TL_HD int64_t lda() const { return trans_a ? m : k; }  // row stride of A as stored
  TL_HD int64_t ldb() const { return trans_b ? k : n; }  // row stride of B as stored
  TL_HD int64_t ldc() const { return n; }
  double flops() const { return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k); }
};

}  // namespace tl
