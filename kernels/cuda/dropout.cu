// Dropout and ReLU backward on the GPU: one thread per element, memory-bound (9 to 13 bytes
// moved per element). The dropout mask is math::counter_uniform(seed, offset + i), a pure
// function of the element index, so it equals the CPU reference's mask bit for bit.
#include "kernels/common/counter_rng.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/training.h"

namespace tl::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void dropout_forward_kernel(const float* __restrict__ x, float* __restrict__ y, uint8_t* __restrict__ mask,
                                       int64_t n, float p, float scale, uint64_t seed, uint64_t offset) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const bool keep = math::counter_uniform(seed, offset + static_cast<uint64_t>(i)) >= p;
  mask[i] = keep ? 1 : 0;
  y[i] = keep ? x[i] * scale : 0.0f;
}

__global__ void dropout_backward_kernel(const float* __restrict__ dy, const uint8_t* __restrict__ mask,
                                        float* __restrict__ dx, int64_t n, float scale) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n) dx[i] = mask[i] ? dy[i] * scale : 0.0f;
}

__global__ void relu_backward_kernel(const float* __restrict__ y, const float* __restrict__ dy,
                                     float* __restrict__ dx, int64_t n) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace

void dropout_forward(const float* x, float* y, uint8_t* mask, int64_t n, float p, uint64_t seed, uint64_t offset,
                     cudaStream_t stream) {
  if (n == 0) return;
  launch(dropout_forward_kernel, dim3(blocks_for(n, kThreads)), dim3(kThreads), 0, stream, x, y, mask, n, p,
         1.0f / (1.0f - p), seed, offset);
}

void dropout_backward(const float* dy, const uint8_t* mask, float* dx, int64_t n, float p, cudaStream_t stream) {
  if (n == 0) return;
  launch(dropout_backward_kernel, dim3(blocks_for(n, kThreads)), dim3(kThreads), 0, stream, dy, mask, dx, n,
         1.0f / (1.0f - p));
}

void relu_backward(const float* y, const float* dy, float* dx, int64_t n, cudaStream_t stream) {
  if (n == 0) return;
  launch(relu_backward_kernel, dim3(blocks_for(n, kThreads)), dim3(kThreads), 0, stream, y, dy, dx, n);
}

}  // namespace tl::cuda
