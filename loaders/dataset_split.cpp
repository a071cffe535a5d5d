#include "loaders/dataset_split.h"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.h"
#include "loaders/seeded_rng.h"

namespace tl {
namespace {

// Fisher-Yates with SeededRng: the same seed gives the same permutation everywhere.
void seeded_shuffle(std::vector<size_t>& v, SeededRng& rng) {
  for (size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1], v[static_cast<size_t>(rng.integer(0, static_cast<int64_t>(i) - 1))]);
}

}  // namespace

DatasetSubset::DatasetSubset(std::shared_ptr<const ImageDataset> parent, std::vector<size_t> indices)
    : parent_(std::move(parent)), indices_(std::move(indices)) {
  TL_CHECK(parent_ != nullptr, "dataset subset: no parent dataset");
  for (size_t i : indices_)
    TL_CHECK(i < parent_->size(),
             "dataset subset: index " << i << " out of range (dataset has " << parent_->size() << ")");
}

DatasetSplit split_by_ratio(std::shared_ptr<const ImageDataset> dataset, double validation_fraction,
                            uint64_t seed, bool stratified) {
  TL_CHECK(dataset != nullptr, "split: no dataset");
  TL_CHECK(validation_fraction >= 0.0 && validation_fraction < 1.0,
           "split: validation fraction must be in [0, 1), got " << validation_fraction);
  // Groups of indices drawn from separately: one per class, or one for everything.
  std::vector<std::vector<size_t>> groups(stratified ? dataset->classes().size() : 1);
  for (size_t i = 0; i < dataset->size(); ++i) {
    const auto label = static_cast<size_t>(dataset->label(i));
    TL_CHECK(label < dataset->classes().size() || !stratified,
             "split: sample '" << dataset->name(i) << "' has label " << label << " but there are "
                               << dataset->classes().size() << " classes");
    groups[stratified ? label : 0].push_back(i);
  }
  SeededRng rng(seed);
  std::vector<size_t> train, validation;
  for (std::vector<size_t>& group : groups) {
    seeded_shuffle(group, rng);
    const auto n_val =
        static_cast<size_t>(std::llround(validation_fraction * static_cast<double>(group.size())));
    validation.insert(validation.end(), group.begin(), group.begin() + static_cast<std::ptrdiff_t>(n_val));
    train.insert(train.end(), group.begin() + static_cast<std::ptrdiff_t>(n_val), group.end());
  }
  std::sort(train.begin(), train.end());
  std::sort(validation.begin(), validation.end());
  return {std::make_shared<DatasetSubset>(dataset, std::move(train)),
          std::make_shared<DatasetSubset>(dataset, std::move(validation))};
}

void require_same_classes(const ImageDataset& a, const std::string& a_name, const ImageDataset& b,
                          const std::string& b_name) {
  const auto& ca = a.classes();
  const auto& cb = b.classes();
  if (ca == cb) return;
  std::string first_difference;
  for (size_t i = 0; i < std::max(ca.size(), cb.size()); ++i) {
    if (i >= ca.size() || i >= cb.size() || ca[i] != cb[i]) {
      first_difference = "class " + std::to_string(i) + " is '" + (i < ca.size() ? ca[i] : "(none)") +
                         "' vs '" + (i < cb.size() ? cb[i] : "(none)") + "'";
      break;
    }
  }
  TL_FAIL("'" << a_name << "' has " << ca.size() << " classes and '" << b_name << "' has " << cb.size()
              << "; they must be the same: " << first_difference);
}

}  // namespace tl
