#include "loaders/resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/common/error.h"
#include "loaders/limits.h"

namespace tl {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // PIL's PRECISION_BITS for 8-bit images

double triangle(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

// The filter taps of one axis: for output index o, input indices first[o] .. first[o] +
// count[o] - 1 with fixed-point weights weights[o * taps + t]. (PIL's precompute_coeffs and
// normalize_coeffs_8bpc.)
struct AxisWeights {
  int taps = 0;
  std::vector<int> first, count;
  std::vector<int32_t> weights;  // (out, taps)
};

AxisWeights axis_weights(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;           // the triangle's support is 1
  const double inv_filter_scale = 1.0 / filter_scale;  // multiplied, not divided, as PIL does
  AxisWeights a;
  a.taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  a.first.resize(out_size);
  a.count.resize(out_size);
  a.weights.assign(static_cast<size_t>(out_size) * a.taps, 0);
  std::vector<double> w(a.taps);
  for (int o = 0; o < out_size; ++o) {
    const double center = (o + 0.5) * scale;
    const int lo = std::max(static_cast<int>(center - support + 0.5), 0);
    const int hi = std::min(static_cast<int>(center + support + 0.5), in_size);
    const int n = hi - lo;
    double total = 0.0;
    for (int t = 0; t < n; ++t) {
      w[t] = triangle((t + lo - center + 0.5) * inv_filter_scale);
      total += w[t];
    }
    for (int t = 0; t < n; ++t) {
      const double normalised = total != 0.0 ? w[t] / total : w[t];
      const double fixed = normalised * (1 << kPrecisionBits);
      a.weights[static_cast<size_t>(o) * a.taps + t] =
          static_cast<int32_t>(fixed < 0 ? fixed - 0.5 : fixed + 0.5);
    }
    a.first[o] = lo;
    a.count[o] = n;
  }
  return a;
}

uint8_t clip8(int32_t sum) { return static_cast<uint8_t>(std::clamp(sum >> kPrecisionBits, 0, 255)); }

// out row y = horizontal filtering of in row (y + row_offset).
Image resize_rows(const Image& in, int out_width, int row_begin, int row_end) {
  const AxisWeights a = axis_weights(in.width, out_width);
  Image out = Image::zeros(row_end - row_begin, out_width);
  for (int y = row_begin; y < row_end; ++y) {
    const uint8_t* src = in.row(y);
    uint8_t* dst = out.row(y - row_begin);
    for (int x = 0; x < out_width; ++x) {
      const int32_t* k = &a.weights[static_cast<size_t>(x) * a.taps];
      int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      for (int t = 0; t < a.count[x]; ++t) {
        const uint8_t* p = src + 3 * (a.first[x] + t);
        s0 += p[0] * k[t];
        s1 += p[1] * k[t];
        s2 += p[2] * k[t];
      }
      dst[3 * x] = clip8(s0);
      dst[3 * x + 1] = clip8(s1);
      dst[3 * x + 2] = clip8(s2);
    }
  }
  return out;
}

// Vertical filtering; `a.first` indices are relative to in's first row. Each output row is
// accumulated tap by tap over whole input rows (integer sums: the order does not change the
// result), which keeps the inner loop contiguous and vectorisable.
Image resize_columns(const Image& in, const AxisWeights& a, int out_height) {
  Image out = Image::zeros(out_height, in.width);
  const size_t row_len = static_cast<size_t>(in.width) * 3;
  std::vector<int32_t> sums(row_len);
  for (int y = 0; y < out_height; ++y) {
    const int32_t* k = &a.weights[static_cast<size_t>(y) * a.taps];
    std::fill(sums.begin(), sums.end(), 1 << (kPrecisionBits - 1));
    for (int t = 0; t < a.count[y]; ++t) {
      const uint8_t* src = in.row(a.first[y] + t);
      const int32_t weight = k[t];
      for (size_t i = 0; i < row_len; ++i) sums[i] += src[i] * weight;
    }
    uint8_t* dst = out.row(y);
    for (size_t i = 0; i < row_len; ++i) dst[i] = clip8(sums[i]);
  }
  return out;
}

}  // namespace

Image resize_bilinear(const Image& in, int out_height, int out_width) {
  TL_CHECK(in.height > 0 && in.width > 0,
           "resize: empty input image (" << in.height << "x" << in.width << ")");
  TL_CHECK(out_height > 0 && out_width > 0,
           "resize: output size must be positive, got " << out_height << "x" << out_width);
  // An extreme aspect ratio (1 x 80M pixels, resized to a shorter side of 256) would ask for
  // terabytes: the output obeys the decoder's pixel limit. (The one-pass intermediate is never
  // larger than the larger of input and output: see vertical_pass_first.)
  const int64_t max_pixels = loader_limits().max_image_pixels;
  TL_CHECK(int64_t{out_height} * out_width <= max_pixels,
           "resize: " << in.height << "x" << in.width << " to " << out_height << "x" << out_width
                      << " exceeds the loader limit max_image_pixels = " << max_pixels);
  const bool need_horizontal = out_width != in.width, need_vertical = out_height != in.height;
  if (!need_horizontal && !need_vertical) return in;  // PIL returns a copy
  AxisWeights vertical = axis_weights(in.height, out_height);
  if (need_horizontal && need_vertical && vertical_pass_first(in.height, in.width, out_height, out_width)) {
    const Image rows = resize_columns(in, vertical, out_height);
    return resize_rows(rows, out_width, 0, out_height);
  }
  // Horizontal first; only the input rows the vertical pass reads go through it.
  Image rows = in;
  if (need_horizontal) {
    const int row_begin = vertical.first.front();
    const int row_end = vertical.first.back() + vertical.count.back();
    rows = resize_rows(in, out_width, row_begin, row_end);
    for (int& f : vertical.first) f -= row_begin;
  }
  if (!need_vertical) return rows;
  return resize_columns(rows, vertical, out_height);
}

bool vertical_pass_first(int in_height, int in_width, int out_height, int out_width) {
  return out_height < in_height && in_height - out_height > 2 * (in_width - out_width);
}

Image resize_shorter_side(const Image& in, int size) {
  TL_CHECK(size > 0, "resize: size must be positive, got " << size);
  TL_CHECK(in.height > 0 && in.width > 0, "resize: empty input image (" << in.height << "x" << in.width << ")");
  const bool width_is_short = in.width <= in.height;
  const int short_side = width_is_short ? in.width : in.height;
  const int long_side = width_is_short ? in.height : in.width;
  const double new_long_exact = static_cast<double>(int64_t{size} * long_side) / short_side;
  TL_CHECK(new_long_exact * size <= static_cast<double>(loader_limits().max_image_pixels),
           "resize: a " << in.height << "x" << in.width << " image with its shorter side at " << size << " has "
                        << new_long_exact * size << " pixels, more than the loader limit max_image_pixels = "
                        << loader_limits().max_image_pixels);
  const int new_long = static_cast<int>(new_long_exact);
  return width_is_short ? resize_bilinear(in, new_long, size) : resize_bilinear(in, size, new_long);
}

}  // namespace tl
