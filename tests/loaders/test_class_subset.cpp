// Class subsets and per-class sampling for the demo's source/target split, checked against
// hand-worked labels and counted properties.
#include <gtest/gtest.h>

#include <set>

#include "kernels/common/error.h"
#include "loaders/class_subset.h"

namespace tl {
namespace {

const std::vector<std::string> kNames{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

TEST(ClassSubset, SelectsAndRelabelsTargetClasses) {
  const std::vector<int32_t> labels{9, 0, 5, 7, 1, 9, 8, 6};
  const ClassSubset s = select_classes(labels, fashion_mnist_split::target_classes, kNames);
  EXPECT_EQ(s.indices, (std::vector<size_t>{0, 2, 3, 5, 6, 7}));
  EXPECT_EQ(s.labels, (std::vector<int32_t>{4, 0, 2, 4, 3, 1}));
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}));
  const ClassSubset source = select_classes(labels, fashion_mnist_split::source_classes, kNames);
  EXPECT_EQ(source.indices, (std::vector<size_t>{1, 4}));
  EXPECT_EQ(source.labels, (std::vector<int32_t>{0, 1}));
}

TEST(ClassSubset, RejectsBadClassesAndLabels) {
  EXPECT_THROW(select_classes({0, 1}, {}, kNames), Error);
  EXPECT_THROW(select_classes({0, 1}, {1, 1}, kNames), Error);
  EXPECT_THROW(select_classes({0, 1}, {10}, kNames), Error);
  EXPECT_THROW(select_classes({0, 12}, {0}, kNames), Error);
}

std::vector<int32_t> cyclic_labels(int n, int classes) {
  std::vector<int32_t> labels(n);
  for (int i = 0; i < n; ++i) labels[i] = (i * 7 + i / 5) % classes;
  return labels;
}

TEST(ClassSubset, SamplesExactlyKDistinctPerClassDeterministically) {
  const auto labels = cyclic_labels(1000, 5);
  const auto a = sample_per_class(labels, 5, 10, 42);
  ASSERT_EQ(a.size(), 50u);
  EXPECT_EQ(std::set<size_t>(a.begin(), a.end()).size(), 50u);
  for (int c = 0; c < 5; ++c)
    for (int j = 0; j < 10; ++j) {
      EXPECT_EQ(labels[a[c * 10 + j]], c);
      if (j > 0) {
        EXPECT_LT(a[c * 10 + j - 1], a[c * 10 + j]);
      }
    }
  EXPECT_EQ(a, sample_per_class(labels, 5, 10, 42));
  EXPECT_NE(a, sample_per_class(labels, 5, 10, 43));
}

TEST(ClassSubset, SamplingIsRoughlyUniform) {
  // Each of the 200 examples of class 0 is drawn with probability 10/200; over 400 seeds an
  // example is drawn 20 times on average (binomial sd ~4.4): all counts within 20 +- 5 sd.
  const auto labels = cyclic_labels(1000, 5);
  std::vector<int> drawn(labels.size(), 0);
  for (uint64_t seed = 0; seed < 400; ++seed)
    for (size_t i : sample_per_class(labels, 5, 10, seed)) ++drawn[i];
  for (size_t i = 0; i < labels.size(); ++i) {
    EXPECT_GE(drawn[i], 20 - 22) << i;
    EXPECT_LE(drawn[i], 20 + 22) << i;
  }
}

TEST(ClassSubset, AllWhenPerClassIsZeroAndErrorsWhenTooFew) {
  const std::vector<int32_t> labels{1, 0, 1, 1, 0};
  EXPECT_EQ(sample_per_class(labels, 2, 0, 1), (std::vector<size_t>{1, 4, 0, 2, 3}));
  EXPECT_THROW(sample_per_class(labels, 2, 3, 1), Error);
  EXPECT_THROW(sample_per_class({0, 2}, 2, 1, 1), Error);
}

}  // namespace
}  // namespace tl
