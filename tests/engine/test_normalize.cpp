// The normalization op on the CPU against a float64 evaluation of the preset formulas, the
// channel swap of BGR models worked by hand, and its argument errors.
#include <gtest/gtest.h>

#include <random>

#include "engine/ops_normalize.h"
#include "engine/preprocessing.h"
#include "tests/common/tolerance.h"
#include "tests/loaders/image_test_util.h"

namespace tl {
namespace {

using test::all_close;
using test::expect_error;
using test::Tolerance;

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> out(n);
  for (uint8_t& v : out) v = static_cast<uint8_t>(gen() & 0xFF);
  return out;
}

TEST(Normalize, MatchesFloat64FormulaForEveryPreset) {
  const int64_t n = 3, h = 7, w = 11;
  const auto bytes = random_bytes(static_cast<size_t>(n * h * w * 3), 5);
  const Tensor images = Tensor::from_vector(bytes, {n, h, w, 3});
  for (const char* preset : {"torchvision", "caffe", "tf"}) {
    const NormalizeParams p = Preprocessing::from_preset(preset).params;
    std::vector<double> expected(bytes.size());
    for (size_t px = 0; px < bytes.size() / 3; ++px)
      for (int c = 0; c < 3; ++c) {
        const double v = bytes[3 * px + (p.bgr ? 2 - c : c)];
        expected[3 * px + c] = (v * static_cast<double>(p.scale) - p.mean[c]) / p.std[c];
      }
    // One float32 rounding each for the product, the difference and the quotient.
    EXPECT_TRUE(all_close(normalize(images, p).to_vector<float>(), expected, Tolerance::fp32())) << preset;
  }
}

TEST(Normalize, CaffeSwapsToBgrAndSubtractsTheBgrMean) {
  const Tensor pixel = Tensor::from_vector(std::vector<uint8_t>{10, 20, 30}, {1, 1, 1, 3});
  const std::vector<float> out = normalize(pixel, NormalizeParams::caffe()).to_vector<float>();
  // B = 30, G = 20, R = 10 minus the mean in B, G, R order.
  EXPECT_TRUE(
      all_close(out, std::vector<double>{30 - 103.939, 20 - 116.779, 10 - 123.68}, Tolerance::fp32()));
}

TEST(Normalize, RejectsWrongTensors) {
  const NormalizeParams p = NormalizeParams::torchvision();
  expect_error(
      [&] {
        normalize(Tensor::zeros({1, 2, 2, 3}, DType::f32), p);
      },
      {"normalize", "must be u8", "f32"});
  expect_error([&] { normalize(Tensor::zeros({2, 2, 3}, DType::u8), p); }, {"(N, H, W, 3)", "(2, 2, 3)"});
  expect_error([&] { normalize(Tensor::zeros({1, 2, 2, 4}, DType::u8), p); }, {"(N, H, W, 3)"});
  Tensor wrong_out = Tensor::zeros({1, 2, 2, 3}, DType::u8);
  expect_error([&] { normalize(Tensor::zeros({1, 2, 2, 3}, DType::u8), p, wrong_out); }, {"out must be f32"});
  NormalizeParams zero_std = p;
  zero_std.std[1] = 0.0f;
  expect_error([&] { normalize(Tensor::zeros({1, 2, 2, 3}, DType::u8), zero_std); }, {"std[1] is zero"});
}

}  // namespace
}  // namespace tl
