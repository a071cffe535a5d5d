// CUDA head-training kernels against the CPU reference ops (engine/ops_training.h,
// engine/metrics.h): linear forward/backward, ReLU and dropout backward, softmax and softmax
// cross-entropy (weights, label smoothing), SGD and AdamW steps, arg-max/top-5, and a short
// head-training loop on the GPU vs the CPU, row gathers, and whole train_head runs (linear and
// MLP heads with dropout) on the GPU vs the CPU. Awkward sizes (batch 1, odd features), outputs
// poisoned where the op takes them preallocated.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/head.h"
#include "engine/metrics.h"
#include "engine/ops.h"
#include "engine/ops_training.h"
#include "engine/trainer.h"
#include "tests/common/gpu.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

const Device kGpu = Device::cuda(0);

Tensor random_tensor(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  return Tensor::from_vector(test::random_floats(static_cast<size_t>(shape.numel()), seed, lo, hi), shape);
}

Tensor random_labels(int64_t n, int64_t c, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int32_t> dist(0, static_cast<int32_t>(c - 1));
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (auto& y : v) y = dist(gen);
  return Tensor::from_vector(v, {n});
}

Tensor poisoned(const Shape& shape) {
  Tensor t = Tensor::empty(shape, DType::f32, kGpu);
  fill(t, NAN);
  return t;
}

std::vector<float> host(const Tensor& t) { return t.to_vector<float>(); }

TEST(CudaHead, LinearForwardAndBackwardMatchCpu) {
  TL_REQUIRE_GPU();
  for (const auto& [n, in, out] : {std::tuple{1, 7, 3}, std::tuple{13, 130, 33}, std::tuple{70, 65, 10}}) {
    const Tensor x = random_tensor({n, in}, 1), w = random_tensor({out, in}, 2), b = random_tensor({out}, 3);
    const Tensor dy = random_tensor({n, out}, 4);
    // GEMMs of length `in` (forward, dw: length n) in a different summation order than OpenBLAS.
    const Tolerance tol = test::for_dot(Precision::fp32, std::max<int64_t>({in, n, out}));
    EXPECT_TRUE(all_close(host(linear_forward(x.to(kGpu), w.to(kGpu), b.to(kGpu))), host(linear_forward(x, w, b)), tol));
    Tensor dx_cpu, dw_cpu = Tensor::empty({out, in}, DType::f32), db_cpu = Tensor::empty({out}, DType::f32);
    linear_backward(x, w, dy, &dx_cpu, dw_cpu, db_cpu);
    Tensor dx = poisoned({n, in}), dw = poisoned({out, in}), db = poisoned({out});
    linear_backward(x.to(kGpu), w.to(kGpu), dy.to(kGpu), &dx, dw, db);
    EXPECT_TRUE(all_close(host(dx), host(dx_cpu), tol)) << "dx";
    EXPECT_TRUE(all_close(host(dw), host(dw_cpu), tol)) << "dw";
    EXPECT_TRUE(all_close(host(db), host(db_cpu), tol)) << "db";
  }
}

// The baseline behind the same signatures: cuBLAS GEMMs (bias broadcast + beta = 1 forward).
TEST(CudaHead, LinearWithCublasGemmsMatchesCpu) {
  TL_REQUIRE_GPU();
  TL_REQUIRE_VENDOR_LIBS();
  for (const auto& [n, in, out] : {std::tuple{1, 7, 3}, std::tuple{13, 130, 33}, std::tuple{70, 65, 10}}) {
    const Tensor x = random_tensor({n, in}, 5), w = random_tensor({out, in}, 6), b = random_tensor({out}, 7);
    const Tensor dy = random_tensor({n, out}, 8);
    const Tolerance tol = test::for_dot(Precision::fp32, std::max<int64_t>({in, n, out}));
    EXPECT_TRUE(all_close(host(linear_forward(x.to(kGpu), w.to(kGpu), b.to(kGpu), KernelLib::vendor)),
                          host(linear_forward(x, w, b)), tol));
    Tensor dx_cpu, dw_cpu = Tensor::empty({out, in}, DType::f32), db_cpu = Tensor::empty({out}, DType::f32);
    linear_backward(x, w, dy, &dx_cpu, dw_cpu, db_cpu);
    Tensor dx = poisoned({n, in}), dw = poisoned({out, in}), db = poisoned({out});
    linear_backward(x.to(kGpu), w.to(kGpu), dy.to(kGpu), &dx, dw, db, KernelLib::vendor);
    EXPECT_TRUE(all_close(host(dx), host(dx_cpu), tol)) << "dx";
    EXPECT_TRUE(all_close(host(dw), host(dw_cpu), tol)) << "dw";
    EXPECT_TRUE(all_close(host(db), host(db_cpu), tol)) << "db";
  }
}

TEST(CudaHead, ReluAndDropoutMatchCpuExactly) {
  TL_REQUIRE_GPU();
  const Tensor x = random_tensor({37, 129}, 5), dy = random_tensor({37, 129}, 6);
  const Tensor y = relu(x);
  EXPECT_TRUE(all_close(host(relu_backward(y.to(kGpu), dy.to(kGpu))), host(relu_backward(y, dy)), Tolerance{0, 0}));
  Tensor mask_cpu, mask_gpu;
  const Tensor out_cpu = dropout_forward(x, 0.3f, 42, 1000, mask_cpu);
  const Tensor out_gpu = dropout_forward(x.to(kGpu), 0.3f, 42, 1000, mask_gpu);
  EXPECT_EQ(mask_gpu.to_vector<uint8_t>(), mask_cpu.to_vector<uint8_t>());  // the same counter-based mask
  EXPECT_TRUE(all_close(host(out_gpu), host(out_cpu), Tolerance{0, 0}));
  EXPECT_TRUE(all_close(host(dropout_backward(dy.to(kGpu), mask_gpu, 0.3f)), host(dropout_backward(dy, mask_cpu, 0.3f)),
                        Tolerance{0, 0}));
}

// CUDA's expf/logf (2 ulp) and glibc's (1 ulp) and a different order of the row sums make the
// results differ by a few float32 ulp per term; rtol 1e-5 with atol 1e-7 holds them, while a
// wrong term (an error of order 1/C) fails.
TEST(CudaHead, SoftmaxCrossEntropyMatchesCpu) {
  TL_REQUIRE_GPU();
  for (const auto& [n, c] : {std::pair{1, 2}, std::pair{17, 10}, std::pair{64, 1000}, std::pair{5, 300}}) {
    const Tensor logits = random_tensor({n, c}, 7, -4.0f, 4.0f);
    const Tensor labels = random_labels(n, c, 8);
    std::vector<float> weights(static_cast<size_t>(c));
    for (int64_t k = 0; k < c; ++k) weights[static_cast<size_t>(k)] = 0.5f + static_cast<float>(k % 3);
    for (const CrossEntropyOptions& o :
         {CrossEntropyOptions{}, CrossEntropyOptions{0.1f, {}}, CrossEntropyOptions{0.2f, weights}}) {
      Tensor d_cpu;
      const float loss_cpu = softmax_cross_entropy(logits, labels, o, &d_cpu);
      Tensor d_gpu = poisoned({n, c});
      const float loss_gpu = softmax_cross_entropy(logits.to(kGpu), labels.to(kGpu), o, &d_gpu);
      EXPECT_NEAR(loss_gpu, loss_cpu, 1e-5 * std::fabs(loss_cpu) + 1e-7) << n << "x" << c << " eps " << o.label_smoothing;
      EXPECT_TRUE(all_close(host(d_gpu), host(d_cpu), Tolerance{1e-7, 1e-5})) << n << "x" << c;
    }
    EXPECT_TRUE(all_close(host(softmax(logits.to(kGpu))), host(softmax(logits)), Tolerance{1e-7, 1e-5}));
  }
}

TEST(CudaHead, CrossEntropyRejectsBadLabelsOnTheDevice) {
  TL_REQUIRE_GPU();
  const Tensor logits = Tensor::zeros({3, 4}, DType::f32, kGpu);
  const Tensor labels = Tensor::from_vector(std::vector<int32_t>{0, 4, 1}, {3}, kGpu);
  try {
    softmax_cross_entropy(logits, labels, {});
    FAIL() << "expected tl::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside [0, 4)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(softmax_cross_entropy(logits, Tensor::from_vector(std::vector<int32_t>{0, 1, 2}, {3}), {}), Error);
}

TEST(CudaHead, OptimizerStepsMatchCpu) {
  TL_REQUIRE_GPU();
  const Shape shape{33, 17};
  for (const SgdHyper& h0 : {SgdHyper{0.1f, 0.0f, 0.0f, 0.0f, false, true}, SgdHyper{0.05f, 0.9f, 0.1f, 1e-4f, false, true},
                             SgdHyper{0.05f, 0.9f, 0.0f, 1e-3f, true, true}}) {
    Tensor p_cpu = random_tensor(shape, 9), buf_cpu = Tensor::zeros(shape, DType::f32);
    Tensor p_gpu = p_cpu.to(kGpu), buf_gpu = Tensor::zeros(shape, DType::f32, kGpu);
    SgdHyper h = h0;
    for (int step = 0; step < 4; ++step) {
      const Tensor g = random_tensor(shape, 10 + step);
      sgd_step(p_cpu, g, &buf_cpu, h);
      sgd_step(p_gpu, g.to(kGpu), &buf_gpu, h);
      h.first_step = false;
    }
    // FMA contraction on the GPU: about one ulp per operation and step.
    EXPECT_TRUE(all_close(host(p_gpu), host(p_cpu), Tolerance{1e-6, 1e-5})) << "momentum " << h0.momentum;
  }
  Tensor p_cpu = random_tensor(shape, 20), m_cpu = Tensor::zeros(shape, DType::f32), v_cpu = Tensor::zeros(shape, DType::f32);
  Tensor p_gpu = p_cpu.to(kGpu), m_gpu = m_cpu.to(kGpu), v_gpu = v_cpu.to(kGpu);
  for (int t = 1; t <= 5; ++t) {
    AdamWHyper h;
    h.lr = 1e-2f;
    h.step_size = static_cast<float>(h.lr / (1.0 - std::pow(0.9, t)));
    h.bias_correction2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(0.999, t)));
    const Tensor g = random_tensor(shape, 30 + t);
    adamw_step(p_cpu, g, m_cpu, v_cpu, h);
    adamw_step(p_gpu, g.to(kGpu), m_gpu, v_gpu, h);
  }
  EXPECT_TRUE(all_close(host(p_gpu), host(p_cpu), Tolerance{1e-6, 1e-5})) << "AdamW";
  EXPECT_TRUE(all_close(host(v_gpu), host(v_cpu), Tolerance{1e-9, 1e-5})) << "AdamW exp_avg_sq";
}

TEST(CudaHead, MetricsMatchCpuIncludingTies) {
  TL_REQUIRE_GPU();
  const int64_t n = 50, c = 12;
  std::vector<float> z = test::random_floats(static_cast<size_t>(n * c), 40);
  for (int64_t i = 0; i < n; i += 3) z[static_cast<size_t>(i * c + 2)] = z[static_cast<size_t>(i * c + 7)] = 5.0f;  // ties
  const Tensor logits = Tensor::from_vector(z, {n, c}), labels = random_labels(n, c, 41);
  MetricsAccumulator on_cpu(c), on_gpu(c);
  on_cpu.add_batch(logits, labels, 0.5f);
  on_gpu.add_batch(logits.to(kGpu), labels.to(kGpu), 0.5f);
  const Metrics a = on_gpu.result(), b = on_cpu.result();
  EXPECT_EQ(a.top1, b.top1);
  EXPECT_EQ(a.top5, b.top5);
  for (int32_t t = 0; t < c; ++t)
    for (int32_t p = 0; p < c; ++p) EXPECT_EQ(a.confusion.at(t, p), b.confusion.at(t, p)) << t << "," << p;
}

// A short head-training run: linear -> softmax cross-entropy -> backward -> SGD with momentum,
// eight steps on the GPU and on the CPU from the same start. The trajectories must agree to
// float32 rounding (loose rtol: eight steps compound each step's GEMM and exp differences).
TEST(CudaHead, TrainingStepsFollowTheCpu) {
  TL_REQUIRE_GPU();
  const int64_t n = 24, in = 40, classes = 5;
  const Tensor x = random_tensor({n, in}, 50), labels = random_labels(n, classes, 51);
  Tensor w_cpu = random_tensor({classes, in}, 52, -0.1f, 0.1f), b_cpu = Tensor::zeros({classes}, DType::f32);
  Tensor w_gpu = w_cpu.to(kGpu), b_gpu = b_cpu.to(kGpu);
  Tensor mw_cpu = Tensor::zeros({classes, in}, DType::f32), mb_cpu = Tensor::zeros({classes}, DType::f32);
  Tensor mw_gpu = mw_cpu.to(kGpu), mb_gpu = mb_cpu.to(kGpu);
  const Tensor x_gpu = x.to(kGpu), labels_gpu = labels.to(kGpu);
  SgdHyper h{0.5f, 0.9f, 0.0f, 1e-4f, false, true};
  float loss_cpu = 0, loss_gpu = 0;
  for (int step = 0; step < 8; ++step) {
    Tensor d_cpu, d_gpu;
    loss_cpu = softmax_cross_entropy(linear_forward(x, w_cpu, b_cpu), labels, {}, &d_cpu);
    loss_gpu = softmax_cross_entropy(linear_forward(x_gpu, w_gpu, b_gpu), labels_gpu, {}, &d_gpu);
    Tensor dw_cpu = Tensor::empty({classes, in}, DType::f32), db_cpu = Tensor::empty({classes}, DType::f32);
    Tensor dw_gpu = poisoned({classes, in}), db_gpu = poisoned({classes});
    linear_backward(x, w_cpu, d_cpu, nullptr, dw_cpu, db_cpu);
    linear_backward(x_gpu, w_gpu, d_gpu, nullptr, dw_gpu, db_gpu);
    sgd_step(w_cpu, dw_cpu, &mw_cpu, h), sgd_step(b_cpu, db_cpu, &mb_cpu, h);
    sgd_step(w_gpu, dw_gpu, &mw_gpu, h), sgd_step(b_gpu, db_gpu, &mb_gpu, h);
    h.first_step = false;
  }
  EXPECT_NEAR(loss_gpu, loss_cpu, 1e-4 * loss_cpu);
  EXPECT_TRUE(all_close(host(w_gpu), host(w_cpu), Tolerance{1e-5, 1e-4}));
  EXPECT_TRUE(all_close(host(b_gpu), host(b_cpu), Tolerance{1e-5, 1e-4}));
}

// Mini-batch rows gathered on the device equal the CPU gather: float rows (word copies),
// int32 labels, and 3-byte uint8 rows (byte copies), with repeated indices; an index out of
// range gives a poisoned row (NaN / -1), never another row or an out-of-bounds read.
TEST(CudaHead, GatherRowsMatchCpuAndPoisonBadIndices) {
  TL_REQUIRE_GPU();
  const int64_t rows = 37, width = 13;
  const Tensor x = random_tensor({rows, width}, 60), labels = random_labels(rows, 9, 61);
  std::vector<uint8_t> bytes(static_cast<size_t>(rows * 3));
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7);
  const Tensor pixels = Tensor::from_vector(bytes, {rows, 3});
  const std::vector<int32_t> order = {36, 0, 5, 5, 17, 1, 36};
  const Tensor idx_cpu = Tensor::from_vector(order, {7}), idx_gpu = idx_cpu.to(kGpu);
  EXPECT_EQ(gather_rows(x.to(kGpu), idx_gpu).to_vector<float>(), gather_rows(x, idx_cpu).to_vector<float>());
  EXPECT_EQ(gather_rows(labels.to(kGpu), idx_gpu).to_vector<int32_t>(),
            gather_rows(labels, idx_cpu).to_vector<int32_t>());
  EXPECT_EQ(gather_rows(pixels.to(kGpu), idx_gpu).to_vector<uint8_t>(),
            gather_rows(pixels, idx_cpu).to_vector<uint8_t>());
  const Tensor bad = Tensor::from_vector(std::vector<int32_t>{2, rows, -1}, {3}, kGpu);
  const std::vector<float> got = gather_rows(x.to(kGpu), bad).to_vector<float>();
  for (int64_t k = 0; k < width; ++k) {
    EXPECT_EQ(got[k], x.to_vector<float>()[2 * width + k]);
    EXPECT_TRUE(std::isnan(got[width + k]) && std::isnan(got[2 * width + k]));
  }
  EXPECT_EQ(gather_rows(labels.to(kGpu), bad).to_vector<int32_t>()[1], -1);
  EXPECT_THROW(gather_rows(x, Tensor::from_vector(std::vector<int32_t>{rows}, {1})), Error);
  EXPECT_THROW(gather_rows(x.to(kGpu), idx_cpu), Error);  // indices on another device
}

// train_head end to end on the GPU (features, labels and head there: gathers, forward,
// cross-entropy, backward, AdamW, metrics, best-epoch snapshots) against the same run on the
// CPU: per-epoch metrics and final parameters. An MLP head with dropout (the GPU mask is the
// CPU's bit for bit) and a linear head; awkward sizes (N = 45 with batch 8 leaves a batch of 5).
// Tolerance: float32 GEMM/exp differences compound over 3 x 3 steps: rtol 1e-4 on parameters,
// 1e-4 on losses; accuracies must be equal unless a logit ties within rounding (not here).
TEST(CudaHead, TrainHeadOnTheGpuFollowsTheCpu) {
  TL_REQUIRE_GPU();
  const int64_t n = 21, in = 19, classes = 4;
  const LabeledFeatures cpu{random_tensor({n, in}, 70), random_labels(n, classes, 71)};
  const LabeledFeatures val_cpu{random_tensor({7, in}, 72), random_labels(7, classes, 73)};
  for (const HeadKind kind : {HeadKind::linear, HeadKind::mlp}) {
    HeadConfig hc;
    hc.kind = kind, hc.in_features = in, hc.hidden = 10, hc.num_classes = classes, hc.dropout = 0.25f, hc.seed = 5;
    TrainConfig tc;
    tc.epochs = 3, tc.batch_size = 8, tc.seed = 9, tc.optimizer = OptimizerConfig::adamw(0.01f, 0.01f);
    Head on_cpu(hc), on_gpu(hc);
    on_gpu.to(kGpu);
    const TrainResult r_cpu = train_head(on_cpu, cpu, &val_cpu, tc);
    const LabeledFeatures gpu{cpu.features.to(kGpu), cpu.labels.to(kGpu)};
    const LabeledFeatures val_gpu{val_cpu.features.to(kGpu), val_cpu.labels.to(kGpu)};
    const TrainResult r_gpu = train_head(on_gpu, gpu, &val_gpu, tc);
    ASSERT_EQ(r_gpu.epochs.size(), r_cpu.epochs.size());
    for (size_t e = 0; e < r_cpu.epochs.size(); ++e) {
      EXPECT_NEAR(r_gpu.epochs[e].train.loss, r_cpu.epochs[e].train.loss, 1e-4 * r_cpu.epochs[e].train.loss) << e;
      EXPECT_EQ(r_gpu.epochs[e].train.top1, r_cpu.epochs[e].train.top1) << e;
      EXPECT_NEAR(r_gpu.epochs[e].val->loss, r_cpu.epochs[e].val->loss, 1e-4 * r_cpu.epochs[e].val->loss) << e;
    }
    EXPECT_EQ(r_gpu.best_epoch, r_cpu.best_epoch);
    const auto p_cpu = on_cpu.parameters(), p_gpu = on_gpu.parameters();
    for (size_t i = 0; i < p_cpu.size(); ++i) {
      EXPECT_EQ(p_gpu[i].value.device(), kGpu);
      EXPECT_TRUE(all_close(host(p_gpu[i].value), host(p_cpu[i].value), Tolerance{1e-6, 1e-4})) << p_cpu[i].name;
    }
  }
}

// On the GPU the losses are read at the end of the epoch; a label out of range still ends the
// training with the loss's clear error (not a confusion-matrix or out-of-bounds failure).
TEST(CudaHead, TrainHeadWithABadLabelOnTheGpuIsAnError) {
  TL_REQUIRE_GPU();
  HeadConfig hc;
  hc.in_features = 3, hc.num_classes = 2;
  Head head(hc);
  head.to(kGpu);
  const LabeledFeatures data{random_tensor({4, 3}, 82).to(kGpu),
                             Tensor::from_vector(std::vector<int32_t>{0, 1, 2, 0}, {4}).to(kGpu)};
  TrainConfig config;
  config.epochs = 1, config.batch_size = 2;
  try {
    train_head(head, data, nullptr, config);
    FAIL() << "expected tl::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("labels are outside [0, 2)"), std::string::npos) << e.what();
  }
}

// The head, features and labels must be on one device: a clear error, not a crash.
TEST(CudaHead, TrainHeadRefusesMixedDevices) {
  TL_REQUIRE_GPU();
  HeadConfig hc;
  hc.in_features = 3, hc.num_classes = 2;
  Head head(hc);
  const LabeledFeatures on_gpu{random_tensor({4, 3}, 80).to(kGpu), random_labels(4, 2, 81).to(kGpu)};
  try {
    train_head(head, on_gpu, nullptr, TrainConfig{});
    FAIL() << "expected tl::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the head on cpu"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tl
