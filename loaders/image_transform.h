// ImageTransform: what the batch loader applies to every decoded image, with its fixed
// output size. The standard ones:
//   eval  : torchvision Resize(resize) + CenterCrop(crop)          (deterministic)
//   train : RandomResizedCrop(size) + RandomHorizontalFlip(p=0.5)  (seeded per sample)
//   resize: a plain resize to height x width (e.g. 28x28 Fashion-MNIST -> 224x224)
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "loaders/image.h"
#include "loaders/random_resized_crop.h"

namespace tl {

struct ImageTransform {
  std::string description;  // e.g. "Resize(256) + CenterCrop(224)"
  int out_height = 0, out_width = 0;
  // `seed` is the sample's own seed (derive_seed(run seed, epoch, index)); eval ignores it.
  std::function<Image(const Image&, uint64_t seed)> apply;
};

// Resize(resize) then CenterCrop(crop); resize must be >= crop (else the crop would always
// be padded, which is a configuration mistake, reported as a tl::Error).
ImageTransform eval_transform(int resize = 256, int crop = 224);
ImageTransform train_transform(const RandomResizedCropOptions& options = {}, bool horizontal_flip = true);
ImageTransform resize_transform(int height, int width);

}  // namespace tl
