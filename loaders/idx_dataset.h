// IdxDataset: an image dataset from a pair of IDX files (images (N, H, W) grayscale, labels
// (N)), as MNIST and Fashion-MNIST ship. load() replicates the grey channel to RGB (like
// PIL's convert("RGB")); the transform of the batch loader then resizes to the model's size.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "loaders/image_dataset.h"

namespace tl {

class IdxDataset : public ImageDataset {
 public:
  static std::shared_ptr<IdxDataset> open(const std::string& images_path, const std::string& labels_path,
                                          std::vector<std::string> class_names);

  size_t size() const override { return labels_.size(); }
  int32_t label(size_t index) const override { return labels_.at(index); }
  std::string name(size_t index) const override { return images_path_ + "[" + std::to_string(index) + "]"; }
  Image load(size_t index) const override;
  const std::vector<std::string>& classes() const override { return classes_; }

  int height() const { return height_; }
  int width() const { return width_; }

 private:
  std::string images_path_;
  int height_ = 0, width_ = 0;
  std::vector<uint8_t> pixels_;  // (N, H, W)
  std::vector<int32_t> labels_;
  std::vector<std::string> classes_;
};

// Fashion-MNIST from `dir` holding {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz, with its
// ten class names (T-shirt/top, Trouser, ..., Ankle boot).
std::shared_ptr<IdxDataset> fashion_mnist(const std::string& dir, bool train);
const std::vector<std::string>& fashion_mnist_classes();

}  // namespace tl
