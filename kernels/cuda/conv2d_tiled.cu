// Convolution v2: implicit GEMM with shared-memory tiles, FP32 on CUDA cores.
//
// The convolution is the GEMM  y (M = N*P*Q, K) = A (M, R*S*C) x B (R*S*C, K)  where row m of
// A is output pixel (n, p, q)'s receptive field, the (r, s, c) window flattened, and B is the
// weights read as w: (K, R*S*C) transposed. A is never built in memory ("implicit"): a block
// gathers the slice of A it needs straight from x, with zeros where the window hangs over the
// padding. The tiling is kernels/cuda/gemm.cu's: a block of 256 threads owns a 64 x 64 tile of
// y, walks the reduction in steps of 16 through shared memory, and each thread accumulates a
// 4 x 4 micro-tile in registers, so every staged value is reused 64 times. Each block first
// works out, once, where its 64 output pixels' windows start in x (row_* arrays below), so the
// inner gather only splits the reduction index kk into (r, s, c).
// Cost: 2*M*K*R*S*C flops; global loads ~ M*K*R*S*C*(1/64 + 1/64) floats (plus cache hits).
// Layout: x (N, H, W, C), w (K, R, S, C), y (N, P, Q, K) == (M, K) row-major.
#include "kernels/cuda/conv2d.h"
#include "kernels/cuda/launch.h"

namespace tl::cuda {
namespace {

constexpr int kTileM = 64, kTileN = 64, kTileK = 16;
constexpr int kThreadM = 4, kThreadN = 4;
constexpr int kThreadsN = kTileN / kThreadN;
constexpr int kThreads = (kTileM / kThreadM) * kThreadsN;
static_assert(kThreads == 256, "the launcher below assumes 256 threads per block");

__global__ void __launch_bounds__(kThreads)
    conv2d_tiled_kernel(Conv2dShape s, const float* __restrict__ x, const float* __restrict__ w,
                        float* __restrict__ y, ConvEpilogue e) {
  __shared__ float a_tile[kTileK][kTileM + 4];  // a_tile[p][i] = A[m0 + i][k0 + p]
  __shared__ float b_tile[kTileK][kTileN + 4];  // b_tile[p][j] = w[n0 + j][k0 + p]
  // Where output pixel m0 + i's window starts: image offset n*H*W, top row, left column.
  // A row past M gets a top row far below zero, so every tap of it reads as padding.
  __shared__ int64_t row_image[kTileM];
  __shared__ int row_ih0[kTileM], row_iw0[kTileM];

  const int tid = threadIdx.x;
  const int thread_col = tid % kThreadsN, thread_row = tid / kThreadsN;
  // Output pixels along grid.x (up to 2^31 - 1 blocks), output channels along grid.y.
  const int64_t m0 = int64_t{blockIdx.x} * kTileM, n0 = int64_t{blockIdx.y} * kTileN;
  const int64_t P = s.out_h(), Q = s.out_w(), M = s.gemm_m(), RSC = s.gemm_k();

  if (tid < kTileM) {
    const int64_t m = m0 + tid;
    const int64_t q = m % Q, p = (m / Q) % P, n = m / (P * Q);
    row_image[tid] = n * s.h * s.w;
    row_ih0[tid] = m < M ? static_cast<int>(p * s.stride - s.padding) : -(1 << 30);
    row_iw0[tid] = static_cast<int>(q * s.stride - s.padding);
  }
  __syncthreads();  // the row table is complete before the first gather

  float acc[kThreadM][kThreadN] = {};
  for (int64_t k0 = 0; k0 < RSC; k0 += kTileK) {
    // Gather A: consecutive threads take consecutive kk, i.e. consecutive channels of x.
    for (int e_idx = tid; e_idx < kTileM * kTileK; e_idx += kThreads) {
      const int i = e_idx / kTileK, p = e_idx % kTileK;
      const int64_t kk = k0 + p;
      float v = 0.0f;
      if (kk < RSC) {
        const int64_t c = kk % s.c, rs = kk / s.c;
        const int64_t ih = row_ih0[i] + rs / s.s, iw = row_iw0[i] + rs % s.s;
        if (ih >= 0 && ih < s.h && iw >= 0 && iw < s.w) v = x[((row_image[i] + ih * s.w + iw) * s.c) + c];
      }
      a_tile[p][i] = v;
    }
    // Load B: w's rows are contiguous along kk, so this is coalesced too.
    for (int e_idx = tid; e_idx < kTileN * kTileK; e_idx += kThreads) {
      const int j = e_idx / kTileK, p = e_idx % kTileK;
      const int64_t kk = k0 + p, kout = n0 + j;
      b_tile[p][j] = (kk < RSC && kout < s.k) ? w[kout * RSC + kk] : 0.0f;
    }
    __syncthreads();  // the tiles are complete before anyone reads them

    for (int p = 0; p < kTileK; ++p) {
      float a_frag[kThreadM], b_frag[kThreadN];
      for (int i = 0; i < kThreadM; ++i) a_frag[i] = a_tile[p][thread_row * kThreadM + i];
      for (int j = 0; j < kThreadN; ++j) b_frag[j] = b_tile[p][thread_col * kThreadN + j];
      for (int i = 0; i < kThreadM; ++i)
        for (int j = 0; j < kThreadN; ++j) acc[i][j] += a_frag[i] * b_frag[j];
    }
    __syncthreads();  // everyone is done reading before the next step overwrites the tiles
  }

  for (int i = 0; i < kThreadM; ++i) {
    const int64_t m = m0 + thread_row * kThreadM + i;
    if (m >= M) break;
    for (int j = 0; j < kThreadN; ++j) {
      const int64_t kout = n0 + thread_col * kThreadN + j;
      if (kout >= s.k) break;
      const int64_t out = m * s.k + kout;
      y[out] = e.apply(acc[i][j], kout, out);
    }
  }
}

}  // namespace

void conv2d_tiled(const Conv2dShape& s, const float* x, const float* w, float* y, const ConvEpilogue& e,
                  cudaStream_t stream) {
  TL_CHECK(s.valid(), "conv2d_tiled: invalid shape");
  TL_CHECK(s.h + 2 * s.padding < (1 << 30) && s.w + 2 * s.padding < (1 << 30), "conv2d_tiled: image too large");
  TL_CHECK(s.k <= 65535LL * kTileN && (s.gemm_m() + kTileM - 1) / kTileM <= 0x7fffffffLL,
           "conv2d_tiled: problem exceeds the grid limits (M=" << s.gemm_m() << ", K=" << s.k << ")");
  const dim3 grid(blocks_for(s.gemm_m(), kTileM), blocks_for(s.k, kTileN));
  launch(conv2d_tiled_kernel, grid, dim3(kThreads), 0, stream, s, x, w, y, e);
}

}  // namespace tl::cuda
