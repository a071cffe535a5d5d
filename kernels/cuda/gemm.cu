// Shared-memory tiled SGEMM: C = alpha * op(A) op(B) + beta * C, row-major float32.
//
// Algorithm (2D block tiling): each block of 256 threads owns a 64x64 tile of C. It walks K
// in steps of 16: the block stages the 64x16 slice of op(A) and the 16x64 slice of op(B) in
// shared memory, then each thread accumulates a 4x4 micro-tile of C in registers from them.
// Every element staged in shared memory is reused 64 times, so global traffic drops from
// 2*M*N*K loads (naive) to 2*M*N*K/64. Edges are handled by zero-filling out-of-range loads
// and guarding the stores, so any M, N, K work. Cost: 2*M*N*K flops.
//
// gemm_epilogue() runs the same kernel with a fused epilogue on each C element (bias per
// column, a residual matrix shaped like C, ReLU; see ConvEpilogue). That makes it the 1x1
// stride-1 convolution in NHWC, x (N*H*W, C) x w (K, C)^T, and linear layers (bias only).
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/launch.h"

namespace tl::cuda {
namespace {

constexpr int kTileM = 64, kTileN = 64, kTileK = 16;
constexpr int kThreadM = 4, kThreadN = 4;
constexpr int kThreadsN = kTileN / kThreadN;  // 16 threads across a tile row
constexpr int kThreads = (kTileM / kThreadM) * kThreadsN;
static_assert(kThreads == 256, "the launcher below assumes 256 threads per block");

__global__ void __launch_bounds__(kThreads)
    sgemm_tiled_kernel(GemmShape s, const float* __restrict__ a, const float* __restrict__ b,
                       float* __restrict__ c, ConvEpilogue e) {
  // Stored k-major so the inner loop reads a row of each: a_tile[p][i] = op(A)[row0 + i][k0 + p].
  // The +4 padding spreads the column-wise stores of a non-transposed A across banks.
  __shared__ float a_tile[kTileK][kTileM + 4];
  __shared__ float b_tile[kTileK][kTileN + 4];

  const int tid = threadIdx.x;
  const int thread_col = tid % kThreadsN, thread_row = tid / kThreadsN;
  const int64_t row0 = int64_t{blockIdx.y} * kTileM, col0 = int64_t{blockIdx.x} * kTileN;
  const int64_t lda = s.lda(), ldb = s.ldb();

  float acc[kThreadM][kThreadN] = {};
  for (int64_t k0 = 0; k0 < s.k; k0 += kTileK) {
    // Stage op(A): consecutive threads take consecutive addresses of A as it is stored.
    for (int idx = tid; idx < kTileM * kTileK; idx += kThreads) {
      const int i = s.trans_a ? idx % kTileM : idx / kTileK;
      const int p = s.trans_a ? idx / kTileM : idx % kTileK;
      const int64_t gi = row0 + i, gp = k0 + p;
      float v = 0.0f;
      if (gi < s.m && gp < s.k) v = s.trans_a ? a[gp * lda + gi] : a[gi * lda + gp];
      a_tile[p][i] = v;
    }
    for (int idx = tid; idx < kTileK * kTileN; idx += kThreads) {
      const int j = s.trans_b ? idx / kTileK : idx % kTileN;
      const int p = s.trans_b ? idx % kTileK : idx / kTileN;
      const int64_t gj = col0 + j, gp = k0 + p;
      float v = 0.0f;
      if (gj < s.n && gp < s.k) v = s.trans_b ? b[gj * ldb + gp] : b[gp * ldb + gj];
      b_tile[p][j] = v;
    }
    __syncthreads();  // the tiles are complete before anyone reads them

    for (int p = 0; p < kTileK; ++p) {
      float a_frag[kThreadM], b_frag[kThreadN];
      for (int m = 0; m < kThreadM; ++m) a_frag[m] = a_tile[p][thread_row * kThreadM + m];
      for (int n = 0; n < kThreadN; ++n) b_frag[n] = b_tile[p][thread_col * kThreadN + n];
      for (int m = 0; m < kThreadM; ++m)
        for (int n = 0; n < kThreadN; ++n) acc[m][n] += a_frag[m] * b_frag[n];
    }
    __syncthreads();  // everyone is done reading before the next step overwrites the tiles
  }

  for (int m = 0; m < kThreadM; ++m) {
    const int64_t gi = row0 + thread_row * kThreadM + m;
    if (gi >= s.m) break;
    for (int n = 0; n < kThreadN; ++n) {
      const int64_t gj = col0 + thread_col * kThreadN + n;
      if (gj >= s.n) break;
      const int64_t index = gi * s.ldc() + gj;
      float& out = c[index];
      out = e.apply(s.alpha * acc[m][n] + (s.beta == 0.0f ? 0.0f : s.beta * out), gj, index);  // beta=0 ignores NaN in C
    }
  }
}

}  // namespace

void gemm_epilogue(const GemmShape& s, const float* a, const float* b, float* c, const ConvEpilogue& e,
                   cudaStream_t stream) {
  if (s.m == 0 || s.n == 0) return;
  const dim3 grid(blocks_for(s.n, kTileN), blocks_for(s.m, kTileM));
  TL_CHECK(grid.y <= 65535 && (s.m + kTileM - 1) / kTileM <= 65535,
           "gemm: M=" << s.m << " exceeds the grid limit of this kernel");
  launch(sgemm_tiled_kernel, grid, dim3(kThreads), 0, stream, s, a, b, c, e);
}

void gemm(const GemmShape& s, const float* a, const float* b, float* c, cudaStream_t stream) {
  gemm_epilogue(s, a, b, c, ConvEpilogue{}, stream);
}

}  // namespace tl::cuda
