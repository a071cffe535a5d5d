// CPU fully connected layer: three GEMMs through OpenBLAS (cpu::gemm) and a bias pass.
// Cost: forward 2*N*I*O flops; backward 4*N*I*O (dx and dw) + N*O (db).
#include "kernels/cpu/linear.h"

#include "kernels/common/gemm_shape.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/threads.h"

namespace tl::cpu {

void linear_forward(const float* x, const float* w, const float* b, float* y, int64_t n, int64_t in,
                    int64_t out) {
  // Start y from the bias, then y += x w^T (beta = 1).
#pragma omp parallel for schedule(static) if (n * out >= kMinParallelElements)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < out; ++o) y[i * out + o] = b[o];
  GemmShape s;
  s.m = n, s.n = out, s.k = in;
  s.trans_b = true;  // w is stored (O, I)
  s.beta = 1.0f;
  gemm(s, x, w, y);
}

void linear_backward(const float* x, const float* w, const float* dy, float* dx, float* dw, float* db,
                     int64_t n, int64_t in, int64_t out) {
  if (dx != nullptr) {  // dx (N, I) = dy (N, O) w (O, I)
    GemmShape s;
    s.m = n, s.n = in, s.k = out;
    gemm(s, dy, w, dx);
  }
  GemmShape s;  // dw (O, I) = dy^T x, dy stored (N, O)
  s.m = out, s.n = in, s.k = n;
  s.trans_a = true;
  gemm(s, dy, x, dw);
  if (n == 0) {
    for (int64_t o = 0; o < out; ++o) db[o] = 0.0f;  // OpenBLAS leaves C alone when K = 0
    for (int64_t k = 0; k < out * in; ++k) dw[k] = 0.0f;
    return;
  }
#pragma omp parallel for schedule(static) if (n * out >= kMinParallelElements)
  for (int64_t o = 0; o < out; ++o) {
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += dy[i * out + o];
    db[o] = sum;
  }
}

}  // namespace tl::cpu
