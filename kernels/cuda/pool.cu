// CUDA pooling, both memory-bound.
//
// max_pool2d: one thread per output element (n, p, q, c), c fastest, so a warp reads 32
//   consecutive channels of each input pixel (coalesced). The window is clipped to the image
//   first, so padded cells are never read and never win: -inf padding semantics, like
//   PyTorch's MaxPool2d (Pool2dShape::valid keeps at least one real cell per window).
//   The comparison is the CPU reference's std::max (best < v), so both treat NaN alike.
//   Cost: N*P*Q*C*k*k loads (mostly cache hits: windows overlap), N*P*Q*C stores.
// global_avg_pool: one thread per (n, c), walking the H*W pixels; consecutive threads read
//   consecutive channels (coalesced). FP32 sum, then one multiply by 1/(H*W).
//   Cost: N*H*W*C loads, N*C stores. With N*C threads (e.g. 64*2048) the GPU is filled.
#include <cmath>

#include "kernels/cuda/launch.h"
#include "kernels/cuda/pool.h"

namespace tl::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void max_pool2d_kernel(Pool2dShape s, const float* __restrict__ x, float* __restrict__ y) {
  const int64_t P = s.out_h(), Q = s.out_w();
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i >= s.n * P * Q * s.c) return;
  const int64_t c = i % s.c, q = (i / s.c) % Q, p = (i / (s.c * Q)) % P, n = i / (s.c * Q * P);
  const int64_t h0 = p * s.stride - s.padding, w0 = q * s.stride - s.padding;
  const int64_t h_begin = h0 < 0 ? 0 : h0, h_end = h0 + s.kernel < s.h ? h0 + s.kernel : s.h;
  const int64_t w_begin = w0 < 0 ? 0 : w0, w_end = w0 + s.kernel < s.w ? w0 + s.kernel : s.w;
  float best = -INFINITY;
  for (int64_t ih = h_begin; ih < h_end; ++ih)
    for (int64_t iw = w_begin; iw < w_end; ++iw) {
      const float v = x[((n * s.h + ih) * s.w + iw) * s.c + c];
      if (best < v) best = v;
    }
  y[i] = best;
}

__global__ void global_avg_pool_kernel(int64_t n, int64_t hw, int64_t c, const float* __restrict__ x,
                                       float* __restrict__ y) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;  // (n, c) flat
  if (i >= n * c) return;
  const int64_t image = i / c, channel = i % c;
  const float* in = x + image * hw * c + channel;
  float sum = 0.0f;
  for (int64_t j = 0; j < hw; ++j) sum += in[j * c];
  y[i] = sum * (1.0f / static_cast<float>(hw));
}

}  // namespace

void max_pool2d(const Pool2dShape& s, const float* x, float* y, cudaStream_t stream) {
  TL_CHECK(s.valid(), "max_pool2d: invalid window");
  const int64_t total = s.n * s.out_h() * s.out_w() * s.c;
  TL_CHECK((total + kThreads - 1) / kThreads <= 0x7fffffffLL, "max_pool2d: output too large for one grid");
  launch(max_pool2d_kernel, dim3(blocks_for(total, kThreads)), dim3(kThreads), 0, stream, s, x, y);
}

void global_avg_pool(int64_t n, int64_t hw, int64_t c, const float* x, float* y, cudaStream_t stream) {
  TL_CHECK(n >= 0 && hw > 0 && c >= 0, "global_avg_pool: empty spatial extent");
  if (n * c == 0) return;
  launch(global_avg_pool_kernel, dim3(blocks_for(n * c, kThreads)), dim3(kThreads), 0, stream, n, hw, c, x, y);
}

}  // namespace tl::cuda
