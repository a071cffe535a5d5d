// Metrics (hand-worked), seeded shuffling, prediction and the training loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "engine/predict.h"
#include "engine/random.h"
#include "engine/trainer.h"
#include "tests/common/random.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

using test::all_close;
using test::Tolerance;

TEST(Metrics, HandWorkedAccuracyTop5PerClassAndConfusion) {
  // 4 samples, 6 classes. Row arg-maxes: 1, 0, 5, 2; labels: 1, 2, 5, 0.
  //   sample 0: correct.  sample 1: label 2 has logit 0.6, one larger (0.9) -> top-5 yes, top-1 no.
  //   sample 2: correct.  sample 3: label 0 is the smallest of 6 -> 5 larger -> not in top-5.
  const std::vector<float> z = {0.1f, 0.9f, 0.2f, 0.0f, 0.0f, 0.0f,  //
                                0.9f, 0.1f, 0.6f, 0.2f, 0.3f, 0.4f,  //
                                0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 5.0f,  //
                                -1.f, 0.1f, 2.0f, 0.3f, 0.4f, 0.5f};
  MetricsAccumulator acc(6);
  acc.add_batch(Tensor::from_vector(z, {4, 6}), Tensor::from_vector(std::vector<int32_t>{1, 2, 5, 0}, {4}),
                0.5f);
  acc.add_batch(Tensor::from_vector(std::vector<float>{0, 0, 0, 0, 0, 1}, {1, 6}),
                Tensor::from_vector(std::vector<int32_t>{5}, {1}), 1.0f);
  const Metrics m = acc.result();
  EXPECT_EQ(m.count, 5);
  EXPECT_DOUBLE_EQ(m.loss, (0.5 * 4 + 1.0) / 5);  // batch means weighted by batch size
  EXPECT_DOUBLE_EQ(m.top1, 3.0 / 5);
  EXPECT_DOUBLE_EQ(m.top5, 4.0 / 5);
  EXPECT_EQ(m.confusion.at(2, 0), 1);
  EXPECT_EQ(m.confusion.at(0, 2), 1);
  EXPECT_EQ(m.confusion.at(5, 5), 2);
  EXPECT_EQ(m.confusion.at(1, 1), 1);
  EXPECT_EQ(m.confusion.total(), 5);
  ASSERT_EQ(m.per_class_accuracy.size(), 6u);
  EXPECT_DOUBLE_EQ(m.per_class_accuracy[0], 0.0);
  EXPECT_DOUBLE_EQ(m.per_class_accuracy[1], 1.0);
  EXPECT_DOUBLE_EQ(m.per_class_accuracy[5], 1.0);
  EXPECT_TRUE(std::isnan(m.per_class_accuracy[3])) << "a class without samples has no accuracy";
  EXPECT_THROW(acc.add_batch(Tensor::zeros({1, 5}, DType::f32), Tensor::zeros({1}, DType::i32), 0), Error);
}

TEST(Metrics, BestEpochAndEarlyStopping) {
  BestEpochTracker t(2);
  EXPECT_TRUE(t.update(0, 0.5));
  EXPECT_TRUE(t.update(1, 0.7));
  EXPECT_FALSE(t.update(2, 0.7));  // equal is not an improvement
  EXPECT_FALSE(t.should_stop());
  EXPECT_FALSE(t.update(3, 0.6));
  EXPECT_TRUE(t.should_stop());
  EXPECT_EQ(t.best_epoch(), 1);
  EXPECT_DOUBLE_EQ(t.best_score(), 0.7);
  BestEpochTracker never(0);
  for (int e = 0; e < 10; ++e) never.update(e, 0.1);
  EXPECT_FALSE(never.should_stop());
}

TEST(Rng, SeededPermutationsAreUniformAndReproducible) {
  Rng a(7), b(7), c(8);
  const auto pa = a.permutation(50);
  EXPECT_EQ(pa, b.permutation(50));
  EXPECT_NE(pa, c.permutation(50));
  EXPECT_EQ(std::set<int64_t>(pa.begin(), pa.end()).size(), 50u);
  // Position of element 0 over many permutations of 4: each position with probability 1/4.
  Rng r(1);
  std::vector<int> where(4, 0);
  for (int i = 0; i < 8000; ++i) {
    const auto p = r.permutation(4);
    ++where[std::find(p.begin(), p.end(), 0) - p.begin()];
  }
  for (int count : where) EXPECT_NEAR(count, 2000, 200);  // sd ~39; 5 sd
}

TEST(Predict, TopKProbabilitiesHandWorked) {
  // Row [0, ln 2, ln 3, ln 2]: probabilities 1/8, 2/8, 3/8, 2/8; ties keep the lower index first.
  const float l2 = std::log(2.0f), l3 = std::log(3.0f);
  const auto top = top_k_from_logits(Tensor::from_vector(std::vector<float>{0, l2, l3, l2}, {1, 4}), 3);
  ASSERT_EQ(top.size(), 1u);
  ASSERT_EQ(top[0].size(), 3u);
  EXPECT_EQ(top[0][0].class_index, 2);
  EXPECT_EQ(top[0][1].class_index, 1);
  EXPECT_EQ(top[0][2].class_index, 3);
  EXPECT_NEAR(top[0][0].probability, 0.375f, 1e-6);
  EXPECT_NEAR(top[0][1].probability, 0.25f, 1e-6);
  EXPECT_EQ(top_k_from_logits(Tensor::zeros({2, 3}, DType::f32), 10)[1].size(), 3u) << "k is capped at C";
  EXPECT_THROW(top_k_from_logits(Tensor::zeros({2, 3}, DType::f32), 0), Error);
}

// K Gaussian blobs around well separated centres (distance >> spread): linearly separable.
LabeledFeatures blobs(int64_t per_class, int64_t classes, int64_t dim, uint32_t seed, float spread = 0.3f) {
  const auto centres = test::random_floats(static_cast<size_t>(classes * dim), 99, -4.0f, 4.0f);
  const auto noise =
      test::random_floats(static_cast<size_t>(per_class * classes * dim), seed, -spread, spread);
  std::vector<float> x;
  std::vector<int32_t> y;
  for (int64_t i = 0; i < per_class * classes; ++i) {
    const int64_t k = i % classes;
    for (int64_t d = 0; d < dim; ++d) x.push_back(centres[k * dim + d] + noise[i * dim + d]);
    y.push_back(static_cast<int32_t>(k));
  }
  return {Tensor::from_vector(x, {per_class * classes, dim}), Tensor::from_vector(y, {per_class * classes})};
}

TEST(TrainHead, LinearHeadSeparatesSeparableData) {
  const LabeledFeatures train = blobs(40, 5, 16, 1), val = blobs(10, 5, 16, 2);
  Head head(HeadConfig{HeadKind::linear, 16, 0, 5, 0.0f, 3});
  TrainConfig config;
  config.epochs = 15, config.batch_size = 16, config.seed = 4;
  config.optimizer = OptimizerConfig::sgd(0.05f, 0.9f);
  config.schedule.kind = ScheduleKind::cosine;
  int seen = 0;
  const TrainResult r = train_head(head, train, &val, config, [&](const EpochRecord&) { ++seen; });
  EXPECT_EQ(seen, 15);
  ASSERT_EQ(r.epochs.size(), 15u);
  EXPECT_DOUBLE_EQ(r.epochs.back().train.top1, 1.0);
  EXPECT_DOUBLE_EQ(r.best_score, 1.0);
  EXPECT_DOUBLE_EQ(evaluate_head(head, train, {}).top1, 1.0);
  EXPECT_DOUBLE_EQ(evaluate_head(head, val, {}).top1, 1.0);
  EXPECT_LT(r.epochs.back().train.loss, r.epochs.front().train.loss);
  EXPECT_NEAR(r.epochs[0].lr, 0.05f, 1e-7);
  EXPECT_LT(r.epochs.back().lr, 0.01f) << "cosine schedule applied";
}

TEST(TrainHead, MlpWithDropoutAdamWLearnsAndIsDeterministic) {
  const LabeledFeatures train = blobs(30, 4, 12, 3);
  HeadConfig hc{HeadKind::mlp, 12, 32, 4, 0.2f, 5};
  TrainConfig config;
  config.epochs = 8, config.batch_size = 10, config.seed = 6;
  config.optimizer = OptimizerConfig::adamw(0.01f);
  config.loss.label_smoothing = 0.1f;
  Head a(hc), b(hc);
  const TrainResult ra = train_head(a, train, nullptr, config), rb = train_head(b, train, nullptr, config);
  for (size_t e = 0; e < ra.epochs.size(); ++e) EXPECT_EQ(ra.epochs[e].train.loss, rb.epochs[e].train.loss);
  EXPECT_EQ(a.parameters()[2].value.to_vector<float>(), b.parameters()[2].value.to_vector<float>());
  EXPECT_DOUBLE_EQ(evaluate_head(a, train, {}).top1, 1.0);
  config.seed = 7;  // another shuffle: another trajectory
  Head c(hc);
  EXPECT_NE(train_head(c, train, nullptr, config).epochs[0].train.loss, ra.epochs[0].train.loss);
}

TEST(TrainHead, KeepsBestEpochAndStopsEarly) {
  // Overlapping blobs (noise 4x the centre spread) and a high learning rate: validation
  // accuracy goes up and down. The head must end with the best epoch's parameters, and
  // patience 2 must stop the run two epochs after the last improvement.
  const LabeledFeatures train = blobs(20, 3, 8, 4, 16.0f), val = blobs(20, 3, 8, 5, 16.0f);
  Head head(HeadConfig{HeadKind::linear, 8, 0, 3, 0.0f, 1});
  TrainConfig config;
  config.epochs = 40, config.batch_size = 4, config.early_stopping_patience = 2;
  config.optimizer = OptimizerConfig::sgd(0.5f, 0.9f);
  const TrainResult r = train_head(head, train, &val, config);
  ASSERT_GE(r.best_epoch, 0);
  EXPECT_EQ(r.best_score, r.epochs[r.best_epoch].val->top1);
  for (const EpochRecord& e : r.epochs) EXPECT_LE(e.val->top1, r.best_score);
  EXPECT_LT(r.epochs.back().val->top1, r.best_score) << "the last epoch is worse: restoring matters";
  EXPECT_DOUBLE_EQ(evaluate_head(head, val, {}).top1, r.best_score) << "best parameters restored";
  ASSERT_TRUE(r.stopped_early);
  EXPECT_EQ(static_cast<int>(r.epochs.size()), r.best_epoch + 1 + 2);
  EXPECT_THROW(train_head(head, blobs(2, 3, 7, 1), nullptr, config), Error);  // wrong feature size
}

TEST(TrainHead, PerEpochFeaturesForAugmentation) {
  // Two "augmented views" of the same blobs (different noise); epoch e trains on view e % 2.
  const LabeledFeatures views[2] = {blobs(20, 3, 8, 10), blobs(20, 3, 8, 11)};
  std::vector<int> asked;
  Head head(HeadConfig{HeadKind::linear, 8, 0, 3, 0.0f, 2});
  TrainConfig config;
  config.epochs = 5, config.batch_size = 8;
  config.optimizer = OptimizerConfig::sgd(0.05f, 0.9f);
  const TrainResult r = train_head(head, EpochFeatures([&](int epoch) {
                                     asked.push_back(epoch);
                                     return views[epoch % 2];
                                   }),
                                   &views[0], config);
  EXPECT_EQ(asked, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_DOUBLE_EQ(r.epochs.back().val->top1, 1.0);
}

}  // namespace
}  // namespace tl
