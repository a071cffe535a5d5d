// Classification metrics on the GPU: one thread per row of logits (N, C) finds the arg-max
// (lowest index on ties, like std::max_element) and whether the label is in the top k (fewer
// than k logits strictly greater than the label's: engine/metrics.h's in_top_k). Only the
// N predictions and N flags go back to the host, not the N x C logits. Cost: 2 reads of the
// logits; C is small, rows are independent.
#include "kernels/cuda/launch.h"
#include "kernels/cuda/training.h"

namespace tl::cuda {
namespace {

constexpr int kThreads = 128;

__global__ void classify_kernel(const float* __restrict__ logits, const int32_t* __restrict__ labels, int64_t n,
                                int64_t c, int k, int32_t* __restrict__ predicted, uint8_t* __restrict__ in_top_k) {
  const int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const float* z = logits + i * c;
  int64_t best = 0;
  for (int64_t j = 1; j < c; ++j)
    if (z[best] < z[j]) best = j;  // strictly greater: the first maximum wins
  predicted[i] = static_cast<int32_t>(best);
  const int32_t y = labels[i];
  if (y < 0 || y >= c) {
    in_top_k[i] = 0;
    return;
  }
  const float own = z[y];
  int64_t greater = 0;
  for (int64_t j = 0; j < c; ++j) greater += z[j] > own;
  in_top_k[i] = greater < k ? 1 : 0;
}

}  // namespace

void classify_rows(const float* logits, const int32_t* labels, int64_t n, int64_t c, int k, int32_t* predicted,
                   uint8_t* in_top_k, cudaStream_t stream) {
  if (n == 0) return;
  TL_CHECK(c > 0, "classify_rows: no classes");
  launch(classify_kernel, dim3(blocks_for(n, kThreads)), dim3(kThreads), 0, stream, logits, labels, n, c, k,
         predicted, in_top_k);
}

}  // namespace tl::cuda
