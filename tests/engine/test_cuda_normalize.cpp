// The CUDA normalization kernel against the CPU reference: random images of awkward sizes
// (pixel counts that are not multiples of the block, one pixel, more pixels than the grid),
// output poisoned (NaN-filled) first so that a pixel the kernel skips fails. Both backends
// evaluate the same expression (kernels/common/normalize_math.h, no FMA contraction, IEEE
// division), so the results must be identical. Skipped, with the reason, without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include "engine/ops.h"
#include "engine/ops_normalize.h"
#include "engine/preprocessing.h"
#include "tests/common/gpu.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

TEST(CudaNormalize, MatchesCpuExactlyOnAwkwardSizes) {
  TL_REQUIRE_GPU();
  const Device gpu = Device::cuda(0);
  const float mean[3] = {0.5f, 0.4f, 0.3f}, std[3] = {0.2f, 0.25f, 0.3f};
  const NormalizeParams presets[] = {NormalizeParams::torchvision(), NormalizeParams::caffe(),
                                     NormalizeParams::tf(), Preprocessing::custom(mean, std).params};
  std::mt19937 gen(7);
  // On the emulator (one OS thread per CUDA thread) the two large cases cost minutes; the small
  // ones keep one pixel, partial blocks and odd sizes there. On a GPU all five run.
  std::vector<std::tuple<int64_t, int64_t, int64_t>> sizes{{1, 1, 1}, {3, 17, 29}, {5, 7, 333}};
  if (!test::emulated()) sizes.insert(sizes.end(), {{2, 224, 224}, {64, 61, 97}});
  for (const auto& [n, h, w] : sizes) {
    std::vector<uint8_t> bytes(static_cast<size_t>(n * h * w * 3));
    for (uint8_t& v : bytes) v = static_cast<uint8_t>(gen() & 0xFF);
    const Tensor images = Tensor::from_vector(bytes, {n, h, w, 3});
    const Tensor images_gpu = images.to(gpu);
    for (const NormalizeParams& p : presets) {
      Tensor out = Tensor::empty({n, h, w, 3}, DType::f32, gpu);
      fill(out, NAN);
      normalize(images_gpu, p, out);
      EXPECT_TRUE(all_close(out.to_vector<float>(), normalize(images, p).to_vector<float>(), Tolerance{0, 0}))
          << n << "x" << h << "x" << w << (p.bgr ? " bgr" : " rgb");
    }
  }
}

}  // namespace
}  // namespace tl
