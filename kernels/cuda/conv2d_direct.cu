// Convolution v1: direct, one thread per output element. The teaching baseline.
//
// Algorithm: thread i computes y[n, p, q, k] (i is the flat NPQK index, k fastest) by walking
// its R x S window and the C channels of each tap, exactly as the definition reads, then
// applies the epilogue. Consecutive threads share (n, p, q) and differ in k, so a warp reads
// the same x value (a broadcast) and 32 different weight rows (strided by R*S*C: uncoalesced).
// Nothing is reused through shared memory: every multiply-add loads two floats from global
// memory (L1/L2 absorb much of it). Cost: 2*N*P*Q*K*R*S*C flops, the same number of loads.
// Layout: x (N, H, W, C), w (K, R, S, C), y (N, P, Q, K).
#include "kernels/cuda/conv2d.h"
#include "kernels/cuda/launch.h"

namespace tl::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads)
    conv2d_direct_kernel(Conv2dShape s, const float* __restrict__ x, const float* __restrict__ w,
                         float* __restrict__ y, ConvEpilogue e) {
  const int64_t P = s.out_h(), Q = s.out_w();
  const int64_t total = s.n * P * Q * s.k;
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i >= total) return;
  const int64_t k = i % s.k, q = (i / s.k) % Q, p = (i / (s.k * Q)) % P, n = i / (s.k * Q * P);
  float acc = 0.0f;
  for (int64_t r = 0; r < s.r; ++r) {
    const int64_t ih = p * s.stride - s.padding + r;
    if (ih < 0 || ih >= s.h) continue;  // zero padding contributes nothing
    for (int64_t t = 0; t < s.s; ++t) {
      const int64_t iw = q * s.stride - s.padding + t;
      if (iw < 0 || iw >= s.w) continue;
      const float* xp = x + ((n * s.h + ih) * s.w + iw) * s.c;
      const float* wp = w + ((k * s.r + r) * s.s + t) * s.c;
      for (int64_t c = 0; c < s.c; ++c) acc += xp[c] * wp[c];
    }
  }
  y[i] = e.apply(acc, k, i);
}

}  // namespace

void conv2d_direct(const Conv2dShape& s, const float* x, const float* w, float* y, const ConvEpilogue& e,
                   cudaStream_t stream) {
  TL_CHECK(s.valid(), "conv2d_direct: invalid shape");
  const int64_t total = s.gemm_m() * s.k;
  TL_CHECK((total + kThreads - 1) / kThreads <= 0x7fffffffLL, "conv2d_direct: output too large for one grid");
  launch(conv2d_direct_kernel, dim3(blocks_for(total, kThreads)), dim3(kThreads), 0, stream, s, x, w, y, e);
}

}  // namespace tl::cuda
