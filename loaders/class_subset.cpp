#include "loaders/class_subset.h"

#include <algorithm>
#include <random>

#include "kernels/common/error.h"

namespace tl {

namespace {

// A uniform integer in [0, bound) from mt19937_64 by rejection: unbiased and, unlike
// std::uniform_int_distribution, the same sequence with every standard library.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x = 0;
  do x = rng();
  while (x >= limit);
  return x % bound;
}

}  // namespace

ClassSubset select_classes(const std::vector<int32_t>& labels, const std::vector<int32_t>& classes,
                           const std::vector<std::string>& names) {
  TL_CHECK(!classes.empty(), "select_classes: no classes given");
  std::vector<int32_t> position(names.size(), -1);
  ClassSubset subset;
  for (size_t i = 0; i < classes.size(); ++i) {
    const int32_t c = classes[i];
    TL_CHECK(c >= 0 && static_cast<size_t>(c) < names.size(),
             "select_classes: class " << c << " outside 0.." << names.size() - 1);
    TL_CHECK(position[c] < 0, "select_classes: class " << c << " (" << names[c] << ") given twice");
    position[c] = static_cast<int32_t>(i);
    subset.class_names.push_back(names[c]);
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    const int32_t label = labels[i];
    TL_CHECK(label >= 0 && static_cast<size_t>(label) < names.size(),
             "select_classes: label " << label << " of example " << i << " outside 0.." << names.size() - 1);
    if (position[label] >= 0) {
      subset.indices.push_back(i);
      subset.labels.push_back(position[label]);
    }
  }
  return subset;
}

std::vector<size_t> sample_per_class(const std::vector<int32_t>& labels, int num_classes, int64_t per_class,
                                     uint64_t seed) {
  TL_CHECK(num_classes >= 1, "sample_per_class: num_classes must be >= 1, got " << num_classes);
  std::vector<std::vector<size_t>> by_class(num_classes);
  for (size_t i = 0; i < labels.size(); ++i) {
    TL_CHECK(labels[i] >= 0 && labels[i] < num_classes, "sample_per_class: label "
                                                            << labels[i] << " of example " << i
                                                            << " outside 0.." << num_classes - 1);
    by_class[labels[i]].push_back(i);
  }
  std::mt19937_64 rng(seed);
  std::vector<size_t> chosen;
  for (int c = 0; c < num_classes; ++c) {
    std::vector<size_t>& pool = by_class[c];
    const size_t take = per_class <= 0 ? pool.size() : static_cast<size_t>(per_class);
    TL_CHECK(take <= pool.size(), "sample_per_class: class " << c << " has " << pool.size() << " examples, "
                                                             << per_class << " requested");
    // Partial Fisher-Yates: the first `take` positions become a uniform sample without replacement.
    for (size_t i = 0; i < take && per_class > 0; ++i)
      std::swap(pool[i], pool[i + uniform_below(rng, pool.size() - i)]);
    std::sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(take));
    chosen.insert(chosen.end(), pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(take));
  }
  return chosen;
}

}  // namespace tl
