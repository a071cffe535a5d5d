// Train/validation splits of a dataset that has no separate validation folder.
//
// split_by_ratio puts round(fraction * n) samples into the validation part, chosen by a
// seeded shuffle (SeededRng): the same seed gives the same split on every machine.
//   stratified = true : the fraction is taken per class (round(fraction * n_class) of each),
//                       so both parts keep the class proportions (recommended, the default);
//   stratified = false: the fraction is taken from the whole dataset at once.
// Both parts list their samples in the parent's order (ascending index), not shuffled.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "loaders/image_dataset.h"

namespace tl {

// The samples `indices` of `parent`, in that order.
class DatasetSubset : public ImageDataset {
 public:
  DatasetSubset(std::shared_ptr<const ImageDataset> parent, std::vector<size_t> indices);

  size_t size() const override { return indices_.size(); }
  int32_t label(size_t index) const override { return parent_->label(indices_.at(index)); }
  std::string name(size_t index) const override { return parent_->name(indices_.at(index)); }
  Image load(size_t index) const override { return parent_->load(indices_.at(index)); }
  const std::vector<std::string>& classes() const override { return parent_->classes(); }
  const std::vector<size_t>& indices() const { return indices_; }

 private:
  std::shared_ptr<const ImageDataset> parent_;
  std::vector<size_t> indices_;
};

struct DatasetSplit {
  std::shared_ptr<DatasetSubset> train, validation;
};

// fraction in [0, 1): the share of the samples that goes to validation.
DatasetSplit split_by_ratio(std::shared_ptr<const ImageDataset> dataset, double validation_fraction,
                            uint64_t seed, bool stratified = true);

// Throws a tl::Error naming both when two datasets (e.g. train and val folders) do not have
// the same classes in the same order.
void require_same_classes(const ImageDataset& a, const std::string& a_name, const ImageDataset& b,
                          const std::string& b_name);

}  // namespace tl
