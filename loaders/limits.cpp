#include "loaders/limits.h"

#include "engine/resnet_builder.h"
#include "kernels/common/error.h"

namespace tl {

LoaderLimits& loader_limits() {
  static LoaderLimits limits;
  return limits;
}

ScopedLoaderLimits::ScopedLoaderLimits(const std::function<void(LoaderLimits&)>& change)
    : saved_(loader_limits()) {
  change(loader_limits());
}

ScopedLoaderLimits::~ScopedLoaderLimits() { loader_limits() = saved_; }

int64_t checked_mul(int64_t a, int64_t b, const std::string& what) {
  int64_t out = 0;
  TL_CHECK(a >= 0 && b >= 0 && !__builtin_mul_overflow(a, b, &out),
           what << ": size " << a << " x " << b << " is negative or overflows 64 bits");
  return out;
}

int64_t checked_add(int64_t a, int64_t b, const std::string& what) {
  int64_t out = 0;
  TL_CHECK(a >= 0 && b >= 0 && !__builtin_add_overflow(a, b, &out),
           what << ": size " << a << " + " << b << " is negative or overflows 64 bits");
  return out;
}

void require_resnet_within_limits(const ResNetSpec& spec, const std::string& file) {
  const LoaderLimits& lim = loader_limits();
  auto width = [&](int64_t w, const std::string& what) {
    TL_CHECK(w >= 1 && w <= lim.max_width, "file '" << file << "': " << what << " " << w << " outside [1, "
                                                    << lim.max_width << "] (loader limit max_width)");
    return w;
  };
  TL_CHECK(spec.num_classes >= 0 && spec.num_classes <= lim.max_width,
           "file '" << file << "': " << spec.num_classes
                    << " classes, more than the loader limit max_width = " << lim.max_width);
  // Widths are at most 2^16 here and blocks per stage at most a few dozen (a known depth), so
  // no product below overflows; checked_* keeps that true if the limits are raised.
  const std::string what = "file '" + file + "': parameter count";
  auto conv = [&](int64_t in, int64_t out, int64_t k) {  // weight, bias, 4 BN vectors
    return checked_add(checked_mul(checked_mul(in, out, what), k * k, what), 5 * out, what);
  };
  int64_t total = conv(3, width(spec.stem_width, "stem width"), 7);
  int64_t in = spec.stem_width;
  for (int s = 0; s < 4; ++s) {
    const int64_t mid = width(spec.mid_width[s], "stage " + std::to_string(s + 1) + " width");
    const int64_t out = width(spec.out_width[s], "stage " + std::to_string(s + 1) + " output width");
    TL_CHECK(spec.blocks_per_stage[s] >= 0 && spec.blocks_per_stage[s] <= 64,
             "file '" << file << "': " << spec.blocks_per_stage[s] << " blocks in stage " << s + 1);
    for (int b = 0; b < spec.blocks_per_stage[s]; ++b) {
      // Upper bound of both block kinds: two 3x3 convs, two 1x1 convs and a 1x1 shortcut.
      int64_t block = checked_add(conv(in, mid, 3), conv(mid, mid, 3), what);
      block = checked_add(block, checked_add(conv(mid, out, 1), conv(in, out, 1), what), what);
      total = checked_add(total, block, what);
      in = out;
    }
  }
  total = checked_add(total, conv(in, spec.num_classes, 1), what);
  TL_CHECK(total <= lim.max_model_parameters,
           "file '" << file << "': its shapes describe a ResNet of about " << total
                    << " parameters, more than the loader limit max_model_parameters = "
                    << lim.max_model_parameters);
}

}  // namespace tl
