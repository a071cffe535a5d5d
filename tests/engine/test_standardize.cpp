// Feature standardization (engine/standardize.h): statistics on a hand-worked example, and the
// fold: a head trained on standardized features, folded back, must give the same logits on raw
// features (checked against the unfolded head in float64-accumulated float32: rtol 1e-5).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/head.h"
#include "engine/standardize.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

TEST(Standardization, HandWorkedStatistics) {
  // Columns (1, 3) and (10, 30): means 2 and 20, population stds 1 and 10; a constant column.
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 10, 5, 3, 30, 5}, {2, 3});
  const Standardization s = Standardization::fit(x);
  EXPECT_DOUBLE_EQ(s.mean[0], 2.0);
  EXPECT_DOUBLE_EQ(s.mean[1], 20.0);
  EXPECT_NEAR(s.std[0], 1.0, 2e-6);
  EXPECT_NEAR(s.std[1], 10.0, 2e-6);
  const std::vector<float> z = s.apply(x).to_vector<float>();
  EXPECT_NEAR(z[0], -1.0f, 1e-5f);
  EXPECT_NEAR(z[1], -1.0f, 1e-5f);
  EXPECT_EQ(z[2], 0.0f);  // constant column: 0, not a division by zero
  EXPECT_NEAR(z[3], 1.0f, 1e-5f);
  EXPECT_NEAR(z[4], 1.0f, 1e-5f);
}

TEST(Standardization, FoldedHeadGivesTheSameLogitsOnRawFeatures) {
  // Features with very different column scales, as backbone features have.
  const int64_t n = 9, f = 6;
  std::vector<float> raw = test::random_floats(static_cast<size_t>(n * f), 3);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < f; ++j) raw[i * f + j] = raw[i * f + j] * std::pow(10.0f, j - 2) + 3.0f * j;
  const Tensor x = Tensor::from_vector(raw, {n, f});
  const Standardization s = Standardization::fit(x);
  for (const HeadKind kind : {HeadKind::linear, HeadKind::mlp}) {
    HeadConfig config;
    config.kind = kind, config.in_features = f, config.hidden = 5, config.num_classes = 4, config.seed = 7;
    Head head(config);
    const std::vector<float> expected = head.forward(s.apply(x), false).to_vector<float>();
    s.fold_into(head);
    EXPECT_TRUE(test::all_close(head.forward(x, false).to_vector<float>(), expected, test::Tolerance{1e-5, 1e-5}))
        << (kind == HeadKind::linear ? "linear" : "mlp");
  }
}

TEST(Standardization, BadInputsAreErrors) {
  EXPECT_THROW(Standardization::fit(Tensor::zeros({0, 3}, DType::f32)), Error);
  EXPECT_THROW(Standardization::fit(Tensor::zeros({4}, DType::f32)), Error);
  const Standardization s = Standardization::fit(Tensor::zeros({2, 3}, DType::f32));
  EXPECT_THROW(s.apply(Tensor::zeros({2, 4}, DType::f32)), Error);
  HeadConfig config;
  config.in_features = 5, config.num_classes = 2;
  Head head(config);
  EXPECT_THROW(s.fold_into(head), Error);
}

}  // namespace
}  // namespace tl
