// CUDA normalization, fused in one pass: uint8 (N, H, W, 3) -> float (N, H, W, 3).
//
// Algorithm: a grid-stride loop with one thread per pixel; each thread reads its 3 bytes,
// applies math::normalize_pixel (the same expression as the CPU reference, including the
// channel swap for BGR models) and writes 3 floats. The parameters travel by value in the
// kernel's argument space (constant memory), so no extra loads per pixel.
// Layout: channels-last on both sides, so input and output are walked in the same order.
// Cost: per pixel 3 bytes read, 12 bytes written, 9 flops; purely memory-bound. Adjacent
// threads touch adjacent 3-byte / 12-byte groups, so a warp's accesses stay within a few
// contiguous 128-byte lines.
#include <algorithm>

#include "kernels/common/normalize_math.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/normalize.h"

namespace tl::cuda {
namespace {

constexpr unsigned int kBlock = 256;
constexpr unsigned int kMaxBlocks = 4096;  // enough to fill any current GPU; the loop does the rest

__global__ void normalize_kernel(const uint8_t* __restrict__ images, float* __restrict__ out, int64_t pixels,
                                 NormalizeParams params) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < pixels;
       i += int64_t{gridDim.x} * blockDim.x)
    math::normalize_pixel(images + 3 * i, out + 3 * i, params);
}

}  // namespace

void normalize(const uint8_t* images, float* out, int64_t pixels, const NormalizeParams& params,
               cudaStream_t stream) {
  if (pixels == 0) return;
  const dim3 grid(std::max(1u, std::min(kMaxBlocks, blocks_for(pixels, kBlock))));
  launch(normalize_kernel, grid, dim3(kBlock), 0, stream, images, out, pixels, params);
}

}  // namespace tl::cuda
