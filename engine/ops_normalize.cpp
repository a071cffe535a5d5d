// Dispatch of the normalization op.
#include "engine/ops_normalize.h"

#include "engine/stream.h"
#include "kernels/cpu/normalize.h"

#if TL_HAS_CUDA
#include "kernels/cuda/normalize.h"
#endif

namespace tl {

void normalize(const Tensor& images_u8, const NormalizeParams& params, Tensor& out) {
  TL_CHECK(images_u8.defined(), "normalize: images are undefined");
  TL_CHECK(images_u8.dtype() == DType::u8,
           "normalize: images must be u8, got " << dtype_name(images_u8.dtype()));
  TL_CHECK(images_u8.rank() == 4 && images_u8.dim(3) == 3,
           "normalize: images must be (N, H, W, 3), got " << images_u8.shape().str());
  for (int c = 0; c < 3; ++c) TL_CHECK(params.std[c] != 0.0f, "normalize: std[" << c << "] is zero");
  TL_CHECK(out.defined() && out.dtype() == DType::f32 && out.shape() == images_u8.shape(),
           "normalize: out must be f32 " << images_u8.shape().str() << ", got "
                                         << (out.defined() ? dtype_name(out.dtype()) : "undefined") << " "
                                         << out.shape().str());
  TL_CHECK(out.device() == images_u8.device(),
           "normalize: images on " << images_u8.device() << " but out on " << out.device());
  const int64_t pixels = images_u8.numel() / 3;
  if (images_u8.device().is_cpu()) {
    cpu::normalize(images_u8.data<uint8_t>(), out.data<float>(), pixels, params);
  } else {
#if TL_HAS_CUDA
    ScopedDevice scope(images_u8.device());
    cuda::normalize(images_u8.data<uint8_t>(), out.data<float>(), pixels, params,
                    stream_for(images_u8.device()));
#endif
  }
}

Tensor normalize(const Tensor& images_u8, const NormalizeParams& params) {
  TL_CHECK(images_u8.defined(), "normalize: images are undefined");
  Tensor out = Tensor::empty(images_u8.shape(), DType::f32, images_u8.device());
  normalize(images_u8, params, out);
  return out;
}

}  // namespace tl
