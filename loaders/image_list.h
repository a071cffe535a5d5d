// ImageList: an ImageDataset from an explicit list of image files and their labels, e.g. the
// files a user asks predictions for (labels unknown: all 0) or a listing built by hand.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "loaders/image_dataset.h"
#include "loaders/image_decode.h"

namespace tl {

class ImageList : public ImageDataset {
 public:
  // Checks the sizes and that every label indexes `classes`; the files are read on load().
  static std::shared_ptr<ImageList> create(std::vector<std::string> paths, std::vector<int32_t> labels,
                                           std::vector<std::string> classes);

  size_t size() const override { return paths_.size(); }
  int32_t label(size_t index) const override { return labels_.at(index); }
  std::string name(size_t index) const override { return paths_.at(index); }
  Image load(size_t index) const override { return read_image(paths_.at(index)); }
  const std::vector<std::string>& classes() const override { return classes_; }

 private:
  std::vector<std::string> paths_;
  std::vector<int32_t> labels_;
  std::vector<std::string> classes_;
};

}  // namespace tl
