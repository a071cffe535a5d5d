// Class subsets of a labelled dataset, as the transfer-learning demo uses them: keep some
// classes (relabelled 0..K-1), then draw a few labelled examples per class with a seed.
//
// Fashion-MNIST's split for the demo: the backbone is pretrained on the SOURCE classes
// (0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat) and transferred to the TARGET
// classes (5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

struct ClassSubset {
  std::vector<size_t> indices;           // into the full dataset, ascending
  std::vector<int32_t> labels;           // relabelled: position of the original label in `classes`
  std::vector<std::string> class_names;  // of the kept classes, in the order given
};

// Keeps the examples whose label is in `classes` (distinct, each in 0..names.size()-1) and
// relabels them by their position in `classes`.
ClassSubset select_classes(const std::vector<int32_t>& labels, const std::vector<int32_t>& classes,
                           const std::vector<std::string>& names);

// Positions (into `labels`) of `per_class` examples of each label 0..num_classes-1, drawn without
// replacement by a seeded generator (mt19937_64 + Fisher-Yates, the same on every platform);
// per_class <= 0 takes all. Grouped by class, ascending within a class. tl::Error when a class
// has fewer than `per_class` examples or a label lies outside 0..num_classes-1.
std::vector<size_t> sample_per_class(const std::vector<int32_t>& labels, int num_classes, int64_t per_class,
                                     uint64_t seed);

namespace fashion_mnist_split {
inline const std::vector<int32_t> source_classes{0, 1, 2, 3, 4};
inline const std::vector<int32_t> target_classes{5, 6, 7, 8, 9};
}  // namespace fashion_mnist_split

}  // namespace tl
