#include "loaders/image_transform.h"

#include "kernels/common/error.h"
#include "loaders/crop.h"
#include "loaders/resize.h"

namespace tl {

ImageTransform eval_transform(int resize, int crop) {
  TL_CHECK(crop > 0 && resize >= crop, "eval transform: Resize(" << resize << ") must be at least CenterCrop("
                                                                 << crop << ") and both positive");
  return {"Resize(" + std::to_string(resize) + ") + CenterCrop(" + std::to_string(crop) + ")", crop, crop,
          [resize, crop](const Image& in, uint64_t) {
            return center_crop(resize_shorter_side(in, resize), crop, crop);
          }};
}

ImageTransform train_transform(const RandomResizedCropOptions& options, bool horizontal_flip) {
  TL_CHECK(options.size > 0,
           "train transform: RandomResizedCrop size must be positive, got " << options.size);
  std::string description = "RandomResizedCrop(" + std::to_string(options.size) + ")";
  if (horizontal_flip) description += " + RandomHorizontalFlip(0.5)";
  return {description, options.size, options.size,
          [options, horizontal_flip](const Image& in, uint64_t seed) {
            SeededRng rng(seed);
            Image out = resized_crop(in, random_resized_crop_box(in.height, in.width, options, rng),
                                     options.size, options.size);
            return horizontal_flip && rng.coin() ? flip_horizontal(out) : out;
          }};
}

ImageTransform resize_transform(int height, int width) {
  TL_CHECK(height > 0 && width > 0,
           "resize transform: size must be positive, got " << height << "x" << width);
  return {"Resize((" + std::to_string(height) + ", " + std::to_string(width) + "))", height, width,
          [height, width](const Image& in, uint64_t) { return resize_bilinear(in, height, width); }};
}

}  // namespace tl
