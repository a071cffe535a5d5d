// Per-element math of the normalization kernels, shared by the CPU reference and the CUDA
// kernel so that both compute exactly the same float32 expression:
//
//   out[c] = (pixel[src(c)] * scale - mean[c]) / std[c],   src(c) = bgr ? 2 - c : c
//
// The product is rounded before the subtraction on both backends (no fused multiply-add:
// nvcc would otherwise contract it into one FMA and differ from the CPU in the last bit), and
// the division is IEEE division on both (tl never builds with --use_fast_math).
#pragma once

#include <cstdint>

#include "kernels/common/host_device.h"
#include "kernels/common/normalize_params.h"

namespace tl::math {

TL_HD float mul_rounded(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);  // never contracted into an FMA
#else
  return a * b;  // host code is compiled without FP contraction (ISO C++ mode)
#endif
}

TL_HD float normalize_channel(uint8_t pixel, float scale, float mean, float std) {
  return (mul_rounded(static_cast<float>(pixel), scale) - mean) / std;
}

// One RGB pixel in (3 bytes), the model's 3 channels out.
TL_HD void normalize_pixel(const uint8_t* rgb, float* out, const NormalizeParams& p) {
  for (int c = 0; c < 3; ++c)
    out[c] = normalize_channel(rgb[p.bgr ? 2 - c : c], p.scale, p.mean[c], p.std[c]);
}

}  // namespace tl::math
