#include "loaders/random_resized_crop.h"

#include <cmath>

#include "kernels/common/error.h"
#include "loaders/crop.h"
#include "loaders/resize.h"

namespace tl {
namespace {

// Python's round() to an int: half to even.
int python_round(double x) { return static_cast<int>(std::nearbyint(x)); }  // default FE_TONEAREST

}  // namespace

CropBox random_resized_crop_box(int height, int width, const RandomResizedCropOptions& o, SeededRng& rng) {
  TL_CHECK(o.scale_min > 0 && o.scale_min <= o.scale_max && o.scale_max <= 1.0,
           "RandomResizedCrop: scale range must satisfy 0 < min <= max <= 1, got " << o.scale_min << ".."
                                                                                   << o.scale_max);
  TL_CHECK(o.ratio_min > 0 && o.ratio_min <= o.ratio_max,
           "RandomResizedCrop: ratio range must satisfy 0 < min <= max, got " << o.ratio_min << ".."
                                                                              << o.ratio_max);
  const double area = static_cast<double>(height) * width;
  const double log_ratio_min = std::log(o.ratio_min), log_ratio_max = std::log(o.ratio_max);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * rng.uniform(o.scale_min, o.scale_max);
    const double aspect = std::exp(rng.uniform(log_ratio_min, log_ratio_max));
    const int w = python_round(std::sqrt(target_area * aspect));
    const int h = python_round(std::sqrt(target_area / aspect));
    if (0 < w && w <= width && 0 < h && h <= height) {
      const int top = static_cast<int>(rng.integer(0, height - h));
      const int left = static_cast<int>(rng.integer(0, width - w));
      return {top, left, h, w};
    }
  }
  // Fallback: the whole image, narrowed to the nearest allowed aspect ratio, centred.
  const double in_ratio = static_cast<double>(width) / height;
  int w = width, h = height;
  if (in_ratio < o.ratio_min) {
    h = python_round(w / o.ratio_min);
  } else if (in_ratio > o.ratio_max) {
    w = python_round(h * o.ratio_max);
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

Image resized_crop(const Image& in, const CropBox& box, int out_height, int out_width) {
  return resize_bilinear(crop(in, box.top, box.left, box.height, box.width), out_height, out_width);
}

}  // namespace tl
