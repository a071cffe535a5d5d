// CPU reference normalization: uint8 RGB pixels in, the model's float channels out.
#pragma once

#include <cstdint>

#include "kernels/common/normalize_params.h"

namespace tl::cpu {

// images: (P, 3) uint8 RGB, out: (P, 3) float, where P = N * H * W pixels.
void normalize(const uint8_t* images, float* out, int64_t pixels, const NormalizeParams& params);

}  // namespace tl::cpu
