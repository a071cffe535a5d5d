// CUDA normalization: uint8 RGB pixels in, the model's float channels out, on `stream`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/normalize_params.h"

namespace tl::cuda {

// images: (P, 3) uint8 RGB on the device, out: (P, 3) float on the device, P = N * H * W.
void normalize(const uint8_t* images, float* out, int64_t pixels, const NormalizeParams& params,
               cudaStream_t stream);

}  // namespace tl::cuda
