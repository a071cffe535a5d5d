// CPU reference normalization: one pass over the pixels, each read once (3 bytes) and
// written once (12 bytes); OpenMP splits the pixels statically. Cost: 3 multiplies, 3
// subtractions and 3 divisions per pixel; memory-bound.
#include "kernels/cpu/normalize.h"

#include "kernels/common/normalize_math.h"

namespace tl::cpu {

void normalize(const uint8_t* images, float* out, int64_t pixels, const NormalizeParams& params) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < pixels; ++i) math::normalize_pixel(images + 3 * i, out + 3 * i, params);
}

}  // namespace tl::cpu
