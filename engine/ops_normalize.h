// The normalization op: a uint8 image batch in, the model's float input out, on the device
// of the input (CPU reference or our CUDA kernel). See kernels/common/normalize_math.h.
#pragma once

#include "engine/tensor.h"
#include "kernels/common/normalize_params.h"

namespace tl {

// images_u8: (N, H, W, 3) u8 RGB -> (N, H, W, 3) f32 in the model's channel order.
Tensor normalize(const Tensor& images_u8, const NormalizeParams& params);
// The same into an existing out: (N, H, W, 3) f32 on the same device (reused batch buffers).
void normalize(const Tensor& images_u8, const NormalizeParams& params, Tensor& out);

}  // namespace tl
