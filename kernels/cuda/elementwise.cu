// CUDA elementwise ops: one grid-stride loop per op. Each thread handles elements
// i, i + stride, ... so any n works with a bounded grid; consecutive threads touch
// consecutive floats, so every warp access is one coalesced 128-byte transaction.
// Cost: n (or 2n) float loads and n stores; purely memory-bound.
#include <algorithm>

#include "kernels/common/elementwise_math.h"
#include "kernels/cuda/elementwise.h"
#include "kernels/cuda/launch.h"

namespace tl::cuda {
namespace {

constexpr unsigned int kBlock = 256;
constexpr unsigned int kMaxBlocks = 4096;  // enough to fill any current GPU; the loop does the rest

dim3 grid_for(int64_t n) { return dim3(std::max(1u, std::min(kMaxBlocks, blocks_for(n, kBlock)))); }

__global__ void fill_kernel(float* __restrict__ y, int64_t n, float value) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x)
    y[i] = value;
}

__global__ void add_kernel(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ y,
                           int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x)
    y[i] = math::add(a[i], b[i]);
}

__global__ void relu_kernel(const float* __restrict__ x, float* __restrict__ y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x)
    y[i] = math::relu(x[i]);
}

}  // namespace

void fill(float* y, int64_t n, float value, cudaStream_t stream) {
  if (n == 0) return;
  launch(fill_kernel, grid_for(n), dim3(kBlock), 0, stream, y, n, value);
}

void add(const float* a, const float* b, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  launch(add_kernel, grid_for(n), dim3(kBlock), 0, stream, a, b, y, n);
}

void relu(const float* x, float* y, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  launch(relu_kernel, grid_for(n), dim3(kBlock), 0, stream, x, y, n);
}

}  // namespace tl::cuda
