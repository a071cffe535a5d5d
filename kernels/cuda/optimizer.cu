// Optimizer steps on the GPU: one thread per parameter element applying the update rule
// shared with the CPU (kernels/common/optimizer_math.h, PyTorch's order of operations).
// Memory-bound: SGD moves 12-20 bytes per element, AdamW 28. (nvcc may contract a*b+c into
// one FMA where the CPU rounds twice, so results agree to about one float32 ulp per step.)
#include "kernels/cuda/launch.h"
#include "kernels/cuda/training.h"

namespace tl::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void sgd_kernel(float* __restrict__ param, const float* __restrict__ grad, float* __restrict__ buf,
                           int64_t n, SgdHyper h) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i >= n) return;
  if (buf) {
    math::sgd_update(param[i], grad[i], buf[i], h);
  } else {
    float unused = 0.0f;  // no momentum: the buffer is never read
    math::sgd_update(param[i], grad[i], unused, h);
  }
}

__global__ void adamw_kernel(float* __restrict__ param, const float* __restrict__ grad, float* __restrict__ m,
                             float* __restrict__ v, int64_t n, AdamWHyper h) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i < n) math::adamw_update(param[i], grad[i], m[i], v[i], h);
}

}  // namespace

void sgd_step(float* param, const float* grad, float* momentum_buffer, int64_t n, const SgdHyper& h,
              cudaStream_t stream) {
  if (n == 0) return;
  launch(sgd_kernel, dim3(blocks_for(n, kThreads)), dim3(kThreads), 0, stream, param, grad, momentum_buffer, n, h);
}

void adamw_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, int64_t n, const AdamWHyper& h,
                cudaStream_t stream) {
  if (n == 0) return;
  launch(adamw_kernel, dim3(blocks_for(n, kThreads)), dim3(kThreads), 0, stream, param, grad, exp_avg, exp_avg_sq,
         n, h);
}

}  // namespace tl::cuda
