// Preprocessing: the named input convention of a model ("torchvision", "caffe", "tf" or
// "custom"), carried by weights files, feature caches and head checkpoints.
#pragma once

#include <string>

#include "kernels/common/normalize_params.h"

namespace tl {

struct Preprocessing {
  std::string preset = "torchvision";  // torchvision | caffe | tf | custom
  NormalizeParams params = NormalizeParams::torchvision();

  // "torchvision", "caffe", "tf"; throws tl::Error naming the accepted presets otherwise.
  static Preprocessing from_preset(const std::string& name);
  // A custom RGB mean/std on [0, 1] pixels (like torchvision.transforms.Normalize).
  static Preprocessing custom(const float mean[3], const float std[3]);
  std::string describe() const;  // e.g. "torchvision (RGB, /255, mean 0.485 0.456 0.406, std 0.229 0.224 0.225)"
  bool operator==(const Preprocessing& other) const;
};

}  // namespace tl
