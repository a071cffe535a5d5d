#include "loaders/crop.h"

#include <algorithm>
#include <cstring>

#include "kernels/common/error.h"

namespace tl {
namespace {

// Python's round(d / 2.0) for d >= 0: halves go to the even neighbour.
int half_rounded_to_even(int d) {
  const int k = d / 2;
  return (d % 2 == 0 || k % 2 == 0) ? k : k + 1;
}

// Offset of a centred crop of `crop` pixels out of `size` (negative: padding before).
int centred_offset(int size, int crop) {
  return size >= crop ? half_rounded_to_even(size - crop) : -((crop - size) / 2);
}

}  // namespace

Image crop(const Image& in, int top, int left, int height, int width) {
  TL_CHECK(height > 0 && width > 0, "crop: size must be positive, got " << height << "x" << width);
  Image out = Image::zeros(height, width);
  const int x0 = std::max(left, 0), x1 = std::min(left + width, in.width);
  if (x1 <= x0) return out;
  for (int y = std::max(top, 0); y < std::min(top + height, in.height); ++y)
    std::memcpy(out.row(y - top) + 3 * (x0 - left), in.row(y) + 3 * x0, 3 * static_cast<size_t>(x1 - x0));
  return out;
}

Image center_crop(const Image& in, int height, int width) {
  return crop(in, centred_offset(in.height, height), centred_offset(in.width, width), height, width);
}

Image flip_horizontal(const Image& in) {
  Image out = Image::zeros(in.height, in.width);
  for (int y = 0; y < in.height; ++y) {
    const uint8_t* src = in.row(y);
    uint8_t* dst = out.row(y);
    for (int x = 0; x < in.width; ++x) std::memcpy(dst + 3 * x, src + 3 * (in.width - 1 - x), 3);
  }
  return out;
}

}  // namespace tl
