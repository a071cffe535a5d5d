// CPU GEMM. Cost: 2*M*N*K flops; A, B read once per block of C.
//
// gemm() hands the problem to OpenBLAS (row-major CBLAS). gemm_blocked() is ours: C is cut
// into 64x64 tiles processed in parallel; for each tile the K dimension is walked in
// blocks of 256 so that the A and B panels stay in L2, and the innermost loop runs along a
// row of B and C so that it vectorises.
#include "kernels/cpu/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <vector>

namespace tl::cpu {

void gemm(const GemmShape& s, const float* a, const float* b, float* c) {
  if (s.m == 0 || s.n == 0) return;
  cblas_sgemm(CblasRowMajor, s.trans_a ? CblasTrans : CblasNoTrans,
              s.trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(s.m),
              static_cast<int>(s.n), static_cast<int>(s.k), s.alpha, a,
              static_cast<int>(s.lda()), b, static_cast<int>(s.ldb()), s.beta, c,
              static_cast<int>(s.ldc()));
}

void gemm_blocked(const GemmShape& s, const float* a, const float* b, float* c) {
  constexpr int64_t kTileM = 64, kTileN = 64, kBlockK = 256;
  const int64_t tiles_m = (s.m + kTileM - 1) / kTileM;
  const int64_t tiles_n = (s.n + kTileN - 1) / kTileN;
  // op(A)[i][p] and op(B)[p][j] whatever the storage order.
  auto a_at = [&](int64_t i, int64_t p) { return s.trans_a ? a[p * s.lda() + i] : a[i * s.lda() + p]; };
  auto b_at = [&](int64_t p, int64_t j) { return s.trans_b ? b[j * s.ldb() + p] : b[p * s.ldb() + j]; };

#pragma omp parallel for schedule(dynamic) collapse(2)
  for (int64_t tm = 0; tm < tiles_m; ++tm) {
    for (int64_t tn = 0; tn < tiles_n; ++tn) {
      const int64_t i0 = tm * kTileM, i1 = std::min(s.m, i0 + kTileM);
      const int64_t j0 = tn * kTileN, j1 = std::min(s.n, j0 + kTileN);
      const int64_t width = j1 - j0;
      std::vector<float> acc(static_cast<size_t>((i1 - i0) * width), 0.0f);
      std::vector<float> b_panel(static_cast<size_t>(kBlockK * width));
      for (int64_t p0 = 0; p0 < s.k; p0 += kBlockK) {
        const int64_t p1 = std::min(s.k, p0 + kBlockK);
        for (int64_t p = p0; p < p1; ++p)  // copy op(B)[p0:p1, j0:j1] contiguously
          for (int64_t j = j0; j < j1; ++j) b_panel[(p - p0) * width + (j - j0)] = b_at(p, j);
        for (int64_t i = i0; i < i1; ++i) {
          float* acc_row = &acc[(i - i0) * width];
          for (int64_t p = p0; p < p1; ++p) {
            const float a_ip = a_at(i, p);
            const float* b_row = &b_panel[(p - p0) * width];
            for (int64_t j = 0; j < width; ++j) acc_row[j] += a_ip * b_row[j];
          }
        }
      }
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = j0; j < j1; ++j) {
          float& out = c[i * s.ldc() + j];
          const float prior = s.beta == 0.0f ? 0.0f : s.beta * out;  // beta=0 ignores NaN in C
          out = s.alpha * acc[(i - i0) * width + (j - j0)] + prior;
        }
    }
  }
}

}  // namespace tl::cpu
