// Crops, as torchvision does them on PIL images.
#pragma once

#include "loaders/image.h"

namespace tl {

// Rows [top, top + height) and columns [left, left + width) of `in`; the parts of the box
// outside the image are black, as with PIL's Image.crop. in: (H, W, 3) -> (height, width, 3).
Image crop(const Image& in, int top, int left, int height, int width);

// torchvision's CenterCrop: the box is centred with offsets round((H - height) / 2) and
// round((W - width) / 2), Python's round (half to even). When the crop is larger than the
// image, torchvision pads with zeros ((d // 2) before, (d + 1) // 2 after) and then crops;
// tl does the same, so a small image gets a black border rather than an error.
Image center_crop(const Image& in, int height, int width);

// Mirror image (left <-> right), torchvision's hflip.
Image flip_horizontal(const Image& in);

}  // namespace tl
