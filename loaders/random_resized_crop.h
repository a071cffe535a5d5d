// torchvision's RandomResizedCrop: a random box covering `scale` of the image's area with
// aspect ratio (width / height) in `ratio` (log-uniform), then resized to size x size.
//
// The box is chosen as torchvision.transforms.RandomResizedCrop.get_params does: up to 10
// attempts (area ~ U(scale) * H * W, log ratio ~ U(log ratio), w = round(sqrt(area * ratio)),
// h = round(sqrt(area / ratio)), accepted when 0 < w <= W and 0 < h <= H, position uniform);
// after 10 failures the fallback is a centred crop of the whole image clamped to the ratio
// range. The random numbers come from SeededRng, not torch's generator.
#pragma once

#include "loaders/image.h"
#include "loaders/seeded_rng.h"

namespace tl {

struct RandomResizedCropOptions {
  int size = 224;
  double scale_min = 0.08, scale_max = 1.0;
  double ratio_min = 3.0 / 4.0, ratio_max = 4.0 / 3.0;
};

struct CropBox {
  int top = 0, left = 0, height = 0, width = 0;
};

// The box for an image of height x width (torchvision's get_params).
CropBox random_resized_crop_box(int height, int width, const RandomResizedCropOptions& options,
                                SeededRng& rng);

// crop(box) then resize_bilinear to size x size: in (H, W, 3) -> (size, size, 3).
Image resized_crop(const Image& in, const CropBox& box, int out_height, int out_width);

}  // namespace tl
