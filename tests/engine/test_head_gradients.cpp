// Loss and head backward: float64 finite differences, the PyTorch loss fixture
// (tests/data/training/loss.h5 from tools/gen_training_fixtures.py), and hand-worked cases.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "engine/head.h"
#include "engine/ops_training.h"
#include "kernels/cpu/softmax_cross_entropy.h"
#include "loaders/hdf5_file.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

const std::string kData = std::string(TL_TEST_DATA_DIR) + "/training/";

// Central differences of f around x, in float64: error O(h^2 f''') + O(ulp(f) / h).
std::vector<double> finite_difference(std::vector<double> x,
                                      const std::function<double(const std::vector<double>&)>& f, double h) {
  std::vector<double> grad(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = f(x);
    x[i] = keep - h;
    const double down = f(x);
    x[i] = keep;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

TEST(SoftmaxCrossEntropy, Float64GradientMatchesFiniteDifferences) {
  const int64_t n = 6, c = 7;
  const auto logits_f = test::random_floats(static_cast<size_t>(n * c), 11, -4.0f, 4.0f);
  const std::vector<double> logits(logits_f.begin(), logits_f.end());
  const std::vector<int32_t> labels = {0, 6, 3, 3, 1, 5};
  const std::vector<double> weights = {1.0, 0.3, 2.0, 0.7, 1.5, 0.0, 1.1};
  for (double smoothing : {0.0, 0.15}) {
    for (const double* w : {static_cast<const double*>(nullptr), weights.data()}) {
      auto loss = [&](const std::vector<double>& z) {
        return cpu::softmax_cross_entropy<double>(z.data(), labels.data(), w, n, c, smoothing, nullptr);
      };
      std::vector<double> analytic(logits.size());
      cpu::softmax_cross_entropy<double>(logits.data(), labels.data(), w, n, c, smoothing, analytic.data());
      // h = 1e-5: truncation ~1e-10 * |f'''| and rounding ~1e-16 / 1e-5 = 1e-11, so 1e-8 is loose.
      EXPECT_TRUE(all_close(analytic, finite_difference(logits, loss, 1e-5), Tolerance{1e-8, 1e-6}))
          << "smoothing " << smoothing << (w ? " weighted" : "");
    }
  }
}

TEST(SoftmaxCrossEntropy, MatchesPyTorchFixture) {
  const Hdf5File f = Hdf5File::open_read(kData + "loss.h5");
  std::vector<int64_t> shape;
  const auto logits_v = f.read_f32("logits", &shape);
  const Tensor logits = Tensor::from_vector(logits_v, Shape(shape));
  const Tensor labels = Tensor::from_vector(f.read_i32("labels"), {shape[0]});
  for (const char* name : {"plain", "smoothing", "weighted", "both"}) {
    const std::string g = std::string("/") + name;
    CrossEntropyOptions options;
    options.label_smoothing = static_cast<float>(f.read_number_attribute(g, "label_smoothing"));
    if (f.read_number_attribute(g, "weighted") != 0) options.class_weights = f.read_f32("class_weights");
    Tensor grad;
    const float loss = softmax_cross_entropy(logits, labels, options, &grad);
    // float32 log-sum-exp of logits up to 60: relative rounding ~1e-7 per term; 1e-5 is loose.
    EXPECT_TRUE(all_close(std::vector<float>{loss}, f.read_f32(g + "/loss"), Tolerance{1e-6, 1e-5})) << name;
    EXPECT_TRUE(all_close(grad.to_vector<float>(), f.read_f32(g + "/grad"), Tolerance{1e-6, 1e-5})) << name;
  }
}

TEST(SoftmaxCrossEntropy, HandWorkedAndStable) {
  // Two equal logits: p = 1/2 each, loss = log 2, dz = (p - onehot) / N = (-1/2, 1/2).
  const Tensor labels = Tensor::from_vector(std::vector<int32_t>{0}, {1});
  Tensor grad;
  const float loss =
      softmax_cross_entropy(Tensor::from_vector(std::vector<float>{3, 3}, {1, 2}), labels, {}, &grad);
  EXPECT_NEAR(loss, std::log(2.0f), 1e-7);
  EXPECT_TRUE(all_close(grad.to_vector<float>(), std::vector<float>{-0.5f, 0.5f}, Tolerance::fp32()));
  // Logits of 1e4 overflow a naive exp; log-sum-exp keeps the loss finite: (1e4 - 0) difference.
  const float big =
      softmax_cross_entropy(Tensor::from_vector(std::vector<float>{0, 1e4f}, {1, 2}), labels, {});
  EXPECT_NEAR(big, 1e4f, 1e-2);
  // Label smoothing 1.0 with C = 2 and equal logits: the uniform target, loss log 2, zero gradient.
  CrossEntropyOptions uniform;
  uniform.label_smoothing = 1.0f;
  EXPECT_NEAR(
      softmax_cross_entropy(Tensor::from_vector(std::vector<float>{3, 3}, {1, 2}), labels, uniform, &grad),
      std::log(2.0f), 1e-7);
  EXPECT_TRUE(all_close(grad.to_vector<float>(), std::vector<float>{0, 0}, Tolerance::fp32()));
}

TEST(SoftmaxCrossEntropy, BadInputsAreErrors) {
  const Tensor logits = Tensor::zeros({2, 3}, DType::f32);
  EXPECT_THROW(softmax_cross_entropy(logits, Tensor::from_vector(std::vector<int32_t>{0, 3}, {2}), {}),
               Error);
  EXPECT_THROW(softmax_cross_entropy(logits, Tensor::from_vector(std::vector<int32_t>{0, -1}, {2}), {}),
               Error);
  EXPECT_THROW(softmax_cross_entropy(logits, Tensor::from_vector(std::vector<float>{0, 1}, {2}), {}), Error);
  const Tensor labels = Tensor::from_vector(std::vector<int32_t>{0, 1}, {2});
  CrossEntropyOptions bad;
  bad.class_weights = {1, 1};  // 2 weights, 3 classes
  EXPECT_THROW(softmax_cross_entropy(logits, labels, bad), Error);
  bad.class_weights = {0, 0, 1};  // both labels weigh 0: the mean is undefined
  EXPECT_THROW(softmax_cross_entropy(logits, labels, bad), Error);
  bad = {};
  bad.label_smoothing = 1.5f;
  EXPECT_THROW(softmax_cross_entropy(logits, labels, bad), Error);
}

// Independent float64 reference of a head + PyTorch's cross-entropy, parameters flattened in
// the order of Head::parameters().
struct ReferenceHead {
  HeadConfig config;
  std::vector<double> x;
  std::vector<int32_t> labels;
  CrossEntropyOptions options;
  int64_t n;
  std::vector<uint8_t> dropout_mask = {};  // (N, H) 1 = kept; empty: no dropout
  double dropout_p = 0;

  double loss(const std::vector<double>& params) const {
    const int64_t f = config.in_features, k = config.num_classes;
    const bool mlp = config.kind == HeadKind::mlp;
    const int64_t h = mlp ? config.hidden : k;
    const double* w1 = params.data();
    const double* b1 = w1 + h * f;
    std::vector<double> a(static_cast<size_t>(n * h));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t o = 0; o < h; ++o) {
        double s = b1[o];
        for (int64_t p = 0; p < f; ++p) s += x[i * f + p] * w1[o * f + p];
        a[i * h + o] = mlp ? std::max(s, 0.0) : s;
        if (!dropout_mask.empty()) a[i * h + o] *= dropout_mask[i * h + o] ? 1.0 / (1.0 - dropout_p) : 0.0;
      }
    std::vector<double> z = a;
    if (mlp) {
      const double* w2 = b1 + h;
      const double* b2 = w2 + k * h;
      z.assign(static_cast<size_t>(n * k), 0.0);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t o = 0; o < k; ++o) {
          double s = b2[o];
          for (int64_t p = 0; p < h; ++p) s += a[i * h + p] * w2[o * h + p];
          z[i * k + o] = s;
        }
    }
    // F.cross_entropy(z, y, weight, label_smoothing), written out.
    const double eps = options.label_smoothing;
    auto w = [&](int64_t c) {
      return options.class_weights.empty() ? 1.0 : double(options.class_weights[c]);
    };
    double nll = 0, smooth = 0, total_weight = 0;
    for (int64_t i = 0; i < n; ++i) {
      double m = z[i * k];
      for (int64_t c = 1; c < k; ++c) m = std::max(m, z[i * k + c]);
      double s = 0;
      for (int64_t c = 0; c < k; ++c) s += std::exp(z[i * k + c] - m);
      const double lse = m + std::log(s);
      nll -= w(labels[i]) * (z[i * k + labels[i]] - lse);
      for (int64_t c = 0; c < k; ++c) smooth -= w(c) * (z[i * k + c] - lse);
      total_weight += w(labels[i]);
    }
    return (1 - eps) * nll / total_weight + eps / k * smooth / total_weight;
  }
};

void check_head_gradient(HeadKind kind, float dropout = 0.0f) {
  HeadConfig config;
  config.kind = kind, config.in_features = 9, config.hidden = 13, config.num_classes = 4, config.seed = 5;
  config.dropout = dropout;
  Head head(config);
  const int64_t n = 8;
  const auto xf = test::random_floats(static_cast<size_t>(n * config.in_features), 21, -2.0f, 2.0f);
  const std::vector<int32_t> labels = {0, 1, 2, 3, 3, 2, 1, 0};
  CrossEntropyOptions options;
  options.label_smoothing = 0.1f;
  options.class_weights = {1.0f, 2.0f, 0.5f, 1.25f};

  const Tensor features = Tensor::from_vector(xf, {n, config.in_features});
  Tensor dlogits;
  softmax_cross_entropy(head.forward(features, true), Tensor::from_vector(labels, {n}), options, &dlogits);
  head.backward(dlogits);

  std::vector<double> params;
  std::vector<float> analytic;
  for (const Parameter& p : head.parameters()) {
    for (float v : p.value.to_vector<float>()) params.push_back(v);
    for (float g : p.grad.to_vector<float>()) analytic.push_back(g);
  }
  ReferenceHead ref{config, std::vector<double>(xf.begin(), xf.end()), labels, options, n};
  if (dropout > 0) {  // the reference applies the mask the head drew in its forward
    ref.dropout_mask = head.dropout()->last_mask().to_vector<uint8_t>();
    ref.dropout_p = dropout;
    int dropped = 0;
    for (uint8_t m : ref.dropout_mask) dropped += m == 0;
    EXPECT_GT(dropped, 0) << "the mask must drop something for the test to mean anything";
  }
  const auto numeric = finite_difference(
      params, [&](const std::vector<double>& p) { return ref.loss(p); }, 1e-6);
  // Our gradient is float32 (forward and backward rounding ~1e-7 relative on sums of ~10 terms
  // of size ~1); the reference is float64 to ~1e-9. atol 2e-6 + rtol 1e-4 covers float32.
  EXPECT_TRUE(all_close(analytic, numeric, Tolerance{2e-6, 1e-4})) << head_kind_name(kind);
}

TEST(HeadBackward, LinearMatchesFloat64FiniteDifferences) { check_head_gradient(HeadKind::linear); }
TEST(HeadBackward, MlpMatchesFloat64FiniteDifferences) { check_head_gradient(HeadKind::mlp); }
TEST(HeadBackward, MlpWithDropoutMatchesFloat64FiniteDifferences) {
  check_head_gradient(HeadKind::mlp, 0.4f);
}

TEST(LinearOps, HandWorkedForwardBackward) {
  // x = [[1, 2]], w = [[1, 0], [0, 1], [1, 1]], b = [0.5, -1, 0] -> y = [[1.5, 1, 3]]
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 2}, {1, 2});
  const Tensor w = Tensor::from_vector(std::vector<float>{1, 0, 0, 1, 1, 1}, {3, 2});
  const Tensor b = Tensor::from_vector(std::vector<float>{0.5f, -1, 0}, {3});
  EXPECT_EQ(linear_forward(x, w, b).to_vector<float>(), (std::vector<float>{1.5f, 1, 3}));
  // dy = [[1, 2, 3]]: dx = dy w = [[4, 5]], dw = dy^T x = [[1, 2], [2, 4], [3, 6]], db = [1, 2, 3]
  const Tensor dy = Tensor::from_vector(std::vector<float>{1, 2, 3}, {1, 3});
  Tensor dx, dw = Tensor::zeros({3, 2}, DType::f32), db = Tensor::zeros({3}, DType::f32);
  linear_backward(x, w, dy, &dx, dw, db);
  EXPECT_EQ(dx.to_vector<float>(), (std::vector<float>{4, 5}));
  EXPECT_EQ(dw.to_vector<float>(), (std::vector<float>{1, 2, 2, 4, 3, 6}));
  EXPECT_EQ(db.to_vector<float>(), (std::vector<float>{1, 2, 3}));
  EXPECT_THROW(linear_forward(x, w.reshape({2, 3}), b), Error);
  EXPECT_THROW(linear_forward(x, w, Tensor::zeros({2}, DType::f32)), Error);
  EXPECT_EQ(relu_backward(Tensor::from_vector(std::vector<float>{0, 2, 0.5f}, {3}),
                          Tensor::from_vector(std::vector<float>{7, 8, 9}, {3}))
                .to_vector<float>(),
            (std::vector<float>{0, 8, 9}));
}

TEST(Dropout, MaskIsSeededScaledAndBackwardUsesIt) {
  const int64_t n = 20000;
  const float p = 0.3f;
  const Tensor x = Tensor::from_vector(test::random_floats(n, 4, 0.5f, 1.5f), {n});  // no zeros in x
  Tensor mask, mask_again, mask_other;
  const auto y = dropout_forward(x, p, 42, 0, mask).to_vector<float>();
  dropout_forward(x, p, 42, 0, mask_again);
  dropout_forward(x, p, 42, n, mask_other);
  const auto m = mask.to_vector<uint8_t>();
  EXPECT_EQ(m, mask_again.to_vector<uint8_t>()) << "same seed and offset, same mask";
  EXPECT_NE(m, mask_other.to_vector<uint8_t>()) << "a new offset draws a new mask";
  const auto xv = x.to_vector<float>();
  int64_t dropped = 0;
  for (int64_t i = 0; i < n; ++i) {
    dropped += m[i] == 0;
    const float expected = m[i] ? xv[i] / (1.0f - p) : 0.0f;
    ASSERT_NEAR(y[i], expected, 1e-6f * std::fabs(expected)) << i;
  }
  // Binomial(n, p): standard deviation sqrt(n p (1-p)) ~ 65; 5 sigma ~ 325 of 20000.
  EXPECT_NEAR(static_cast<double>(dropped), p * n, 325.0);
  const Tensor dy = Tensor::from_vector(test::random_floats(n, 5), {n});
  const auto dx = dropout_backward(dy, mask, p).to_vector<float>();
  const auto dyv = dy.to_vector<float>();
  for (int64_t i = 0; i < n; ++i) ASSERT_FLOAT_EQ(dx[i], m[i] ? dyv[i] / (1.0f - p) : 0.0f);
  EXPECT_THROW(dropout_forward(x, 1.0f, 0, 0, mask), Error);
  // p = 0 keeps everything unscaled.
  EXPECT_EQ(dropout_forward(x, 0.0f, 1, 0, mask).to_vector<float>(), xv);
}

TEST(Head, InitialisedLikeNnLinearAndSeeded) {
  HeadConfig config;
  config.kind = HeadKind::mlp, config.in_features = 400, config.hidden = 300, config.num_classes = 10;
  config.seed = 9;
  Head a(config), b(config);
  config.seed = 10;
  Head c(config);
  const auto pa = a.parameters(), pb = b.parameters(), pc = c.parameters();
  ASSERT_EQ(pa.size(), 4u);
  EXPECT_EQ(pa[0].name, "0.weight");
  EXPECT_EQ(pa[3].name, "3.bias");
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].value.to_vector<float>(), pb[i].value.to_vector<float>()) << "same seed";
    EXPECT_NE(pa[i].value.to_vector<float>(), pc[i].value.to_vector<float>()) << "different seed";
  }
  // nn.Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias; mean 0, variance bound^2/3.
  for (const auto& [param, fan_in] : {std::pair{pa[0], 400}, std::pair{pa[1], 400}, std::pair{pa[2], 300}}) {
    const auto v = param.value.to_vector<float>();
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    double mean = 0, var = 0;
    for (float e : v) {
      ASSERT_LE(std::fabs(e), bound) << param.name;
      mean += e;
    }
    mean /= static_cast<double>(v.size());
    for (float e : v) var += (e - mean) * (e - mean);
    var /= static_cast<double>(v.size());
    // Standard error of the mean: bound / sqrt(3 n); 6 of them is a safe bar (n >= 300).
    EXPECT_NEAR(mean, 0.0, 6 * bound / std::sqrt(3.0 * static_cast<double>(v.size()))) << param.name;
    if (v.size() > 1000) {
      EXPECT_NEAR(var, bound * bound / 3, 0.05 * bound * bound / 3) << param.name;
    }
  }
  EXPECT_THROW(Head(HeadConfig{HeadKind::linear, 0, 1, 3}), Error);
  EXPECT_THROW(a.forward(Tensor::zeros({2, 399}, DType::f32), false), Error);
}

}  // namespace
}  // namespace tl
