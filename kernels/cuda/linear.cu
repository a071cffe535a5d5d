// Fully connected layer on the GPU (PyTorch's nn.Linear layout): x (N, I), w (O, I), b (O).
//   forward:  y = x w^T + b          one GEMM (gemm.cu) with the bias fused in its epilogue
//                                    (baseline: broadcast_rows_kernel writes b into every row
//                                    of y, then cuBLAS adds x w^T with beta = 1)
//   backward: dx = dy w              GEMM (N, O) x (O, I)
//             dw = dy^T x            GEMM with op(A) = dy^T: (O, N) x (N, I)
//             db = column sums of dy column_sum_kernel: one thread per column o walking the N
//                                    rows; neighbouring threads read neighbouring columns
//                                    (coalesced), the order of the sum is fixed (deterministic).
// Cost: 2*N*I*O flops per GEMM; db reads N*O floats.
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/training.h"

namespace tl::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void column_sum_kernel(const float* __restrict__ m, float* __restrict__ sums, int64_t rows,
                                  int64_t cols) {
  const int64_t j = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (j >= cols) return;
  float s = 0.0f;
  for (int64_t i = 0; i < rows; ++i) s += m[i * cols + j];
  sums[j] = s;
}

// y[i, j] = v[j] for i < rows: one thread per element.
__global__ void broadcast_rows_kernel(const float* __restrict__ v, float* __restrict__ y, int64_t rows,
                                      int64_t cols) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < rows * cols) y[i] = v[i % cols];
}

}  // namespace

void linear_forward(const float* x, const float* w, const float* b, float* y, int64_t n, int64_t in, int64_t out,
                    cudaStream_t stream, bool cublas) {
  GemmShape g;
  g.m = n, g.n = out, g.k = in, g.trans_b = true;
  if (cublas) {
    if (n * out == 0) return;
    launch(broadcast_rows_kernel, dim3(blocks_for(n * out, kThreads)), dim3(kThreads), 0, stream, b, y, n, out);
    g.beta = 1.0f;
    gemm_cublas(g, x, w, y, stream);
    return;
  }
  ConvEpilogue e;
  e.bias = b;
  gemm_epilogue(g, x, w, y, e, stream);
}

void linear_backward(const float* x, const float* w, const float* dy, float* dx, float* dw, float* db, int64_t n,
                     int64_t in, int64_t out, cudaStream_t stream, bool cublas) {
  auto run_gemm = cublas ? gemm_cublas : gemm;
  if (dx) {
    GemmShape g;  // dx (N, I) = dy (N, O) w (O, I)
    g.m = n, g.n = in, g.k = out;
    run_gemm(g, dy, w, dx, stream);
  }
  GemmShape g;  // dw (O, I) = dy^T (O, N) x (N, I); dy stored (N, O)
  g.m = out, g.n = in, g.k = n, g.trans_a = true;
  run_gemm(g, dy, x, dw, stream);  // N = 0 is a GEMM with K = 0: dw = 0
  if (out > 0) launch(column_sum_kernel, dim3(blocks_for(out, kThreads)), dim3(kThreads), 0, stream, dy, db, n, out);
}

}  // namespace tl::cuda
