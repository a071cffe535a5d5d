// Softmax cross-entropy (forward and gradient) and row softmax on the GPU, the formulas of
// kernels/cpu/softmax_cross_entropy.h (PyTorch's F.cross_entropy, mean reduction, optional
// class weights and label smoothing).
//
// Three launches, no atomics, so the result is deterministic:
//   1. totals_kernel   (1 block): W = sum_i w[y_i], S = sum_c w[c], count of bad labels.
//   2. row_kernel      (1 block per row): max and log-sum-exp of the row by block reductions in
//                      shared memory, the row's loss terms divided by W, and dlogits
//                      ((1-eps) w[y] (p - onehot) + eps/C (S p - w)) / W.
//   3. sum_kernel      (1 block): the mean loss = sum of the row terms.
// Cost: ~3 reads of the (N, C) logits, one write of dlogits; C is small (classes), so a row is
// one block of 128 threads striding over it.
#include <cmath>

#include "kernels/cuda/launch.h"
#include "kernels/cuda/training.h"

namespace tl::cuda {
namespace {

constexpr int kThreads = 128;

// Reduces `v` over the block (kThreads threads) with `combine`; every thread gets the result.
template <typename Combine>
__device__ __forceinline__ float block_reduce(float v, float* scratch, Combine combine) {
  scratch[threadIdx.x] = v;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) scratch[threadIdx.x] = combine(scratch[threadIdx.x], scratch[threadIdx.x + half]);
    __syncthreads();
  }
  const float out = scratch[0];
  __syncthreads();  // scratch is free again before the next reduction writes it
  return out;
}

struct Sum {
  __device__ float operator()(float a, float b) const { return a + b; }
};
struct Max {
  __device__ float operator()(float a, float b) const { return a > b ? a : b; }
};

__device__ __forceinline__ float weight_of(const float* w, int64_t k) { return w ? w[k] : 1.0f; }

__global__ void __launch_bounds__(kThreads)
    totals_kernel(const int32_t* __restrict__ labels, const float* __restrict__ w, int64_t n, int64_t c,
                  CrossEntropyResult* result) {
  __shared__ float scratch[kThreads];
  float row_weights = 0.0f, class_weights = 0.0f, bad = 0.0f;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) {
    const int32_t y = labels[i];
    if (y < 0 || y >= c) bad += 1.0f;
    else row_weights += weight_of(w, y);
  }
  for (int64_t k = threadIdx.x; k < c; k += kThreads) class_weights += weight_of(w, k);
  row_weights = block_reduce(row_weights, scratch, Sum{});
  class_weights = block_reduce(class_weights, scratch, Sum{});
  bad = block_reduce(bad, scratch, Sum{});
  if (threadIdx.x == 0) {
    result->weight_total = row_weights;
    result->class_weight_sum = class_weights;
    result->bad_labels = static_cast<int32_t>(bad);
  }
}

__global__ void __launch_bounds__(kThreads)
    row_kernel(const float* __restrict__ logits, const int32_t* __restrict__ labels, const float* __restrict__ w,
               int64_t c, float eps, float* __restrict__ dlogits, float* __restrict__ row_loss,
               const CrossEntropyResult* totals) {
  __shared__ float scratch[kThreads];
  const int64_t i = blockIdx.x;
  const float* z = logits + i * c;
  const int32_t y = labels[i];
  const bool valid = y >= 0 && y < c;
  // One division per row: a division in the loop would call IEEE division's slow-path
  // subroutine, whose register saves ptxas reports as spills. (Differs from the CPU's x / W
  // by at most one rounding.)
  const float inv_w = 1.0f / totals->weight_total, S = totals->class_weight_sum;
  const float smooth = eps / static_cast<float>(c);

  float m = -INFINITY;
  for (int64_t k = threadIdx.x; k < c; k += kThreads) m = fmaxf(m, z[k]);
  m = block_reduce(m, scratch, Max{});
  float sum = 0.0f;
  for (int64_t k = threadIdx.x; k < c; k += kThreads) sum += expf(z[k] - m);
  const float lse = m + logf(block_reduce(sum, scratch, Sum{}));

  float smooth_term = 0.0f;  // -sum_k w[k] (z[k] - lse)
  for (int64_t k = threadIdx.x; k < c; k += kThreads) smooth_term -= weight_of(w, k) * (z[k] - lse);
  smooth_term = block_reduce(smooth_term, scratch, Sum{});
  if (threadIdx.x == 0) {
    const float nll = valid ? -weight_of(w, y) * (z[y] - lse) : 0.0f;
    row_loss[i] = valid ? ((1.0f - eps) * nll + smooth * smooth_term) * inv_w : 0.0f;
  }
  if (dlogits) {
    const float wy = valid ? weight_of(w, y) : 0.0f;
    for (int64_t k = threadIdx.x; k < c; k += kThreads) {
      const float p = expf(z[k] - lse);
      const float hard = (1.0f - eps) * wy * (p - (k == y ? 1.0f : 0.0f));
      dlogits[i * c + k] = valid ? (hard + smooth * (S * p - weight_of(w, k))) * inv_w : 0.0f;
    }
  }
}

__global__ void __launch_bounds__(kThreads)
    sum_kernel(const float* __restrict__ row_loss, int64_t n, CrossEntropyResult* result) {
  __shared__ float scratch[kThreads];
  float s = 0.0f;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) s += row_loss[i];
  s = block_reduce(s, scratch, Sum{});
  if (threadIdx.x == 0) result->loss = s;
}

__global__ void __launch_bounds__(kThreads)
    softmax_kernel(const float* __restrict__ logits, float* __restrict__ probs, int64_t c) {
  __shared__ float scratch[kThreads];
  const int64_t i = blockIdx.x;
  const float* z = logits + i * c;
  float m = -INFINITY;
  for (int64_t k = threadIdx.x; k < c; k += kThreads) m = fmaxf(m, z[k]);
  m = block_reduce(m, scratch, Max{});
  float sum = 0.0f;
  for (int64_t k = threadIdx.x; k < c; k += kThreads) sum += expf(z[k] - m);
  const float lse = m + logf(block_reduce(sum, scratch, Sum{}));
  for (int64_t k = threadIdx.x; k < c; k += kThreads) probs[i * c + k] = expf(z[k] - lse);
}

}  // namespace

void softmax_cross_entropy(const float* logits, const int32_t* labels, const float* class_weights, int64_t n,
                           int64_t c, float label_smoothing, float* dlogits, float* row_loss,
                           CrossEntropyResult* result, cudaStream_t stream) {
  TL_CHECK(n > 0 && c > 0 && n <= 0x7fffffffLL, "softmax_cross_entropy: bad shape (" << n << ", " << c << ")");
  launch(totals_kernel, dim3(1), dim3(kThreads), 0, stream, labels, class_weights, n, c, result);
  launch(row_kernel, dim3(static_cast<unsigned>(n)), dim3(kThreads), 0, stream, logits, labels, class_weights, c,
         label_smoothing, dlogits, row_loss, static_cast<const CrossEntropyResult*>(result));
  launch(sum_kernel, dim3(1), dim3(kThreads), 0, stream, static_cast<const float*>(row_loss), n, result);
}

void softmax_rows(const float* logits, float* probs, int64_t n, int64_t c, cudaStream_t stream) {
  if (n == 0 || c == 0) return;
  TL_CHECK(n <= 0x7fffffffLL, "softmax_rows: too many rows");
  launch(softmax_kernel, dim3(static_cast<unsigned>(n)), dim3(kThreads), 0, stream, logits, probs, c);
}

}  // namespace tl::cuda
