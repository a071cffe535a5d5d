// ImageDataset: a labelled collection of images that the batch loader reads from. Class
// names travel with the data (label i is classes()[i]). Implemented by ImageFolder (files on
// disk), IdxDataset (MNIST-style IDX arrays) and DatasetSubset (a split of another dataset).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "loaders/image.h"

namespace tl {

class ImageDataset {
 public:
  virtual ~ImageDataset() = default;

  virtual size_t size() const = 0;
  virtual int32_t label(size_t index) const = 0;
  // What errors and reports call the sample: a path, or "<idx file>[index]".
  virtual std::string name(size_t index) const = 0;
  // The decoded RGB image (H, W, 3); a bad file is a tl::Error naming it.
  virtual Image load(size_t index) const = 0;
  virtual const std::vector<std::string>& classes() const = 0;
};

}  // namespace tl
