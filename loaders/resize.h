// Bilinear resize exactly as PIL's Image.resize(size, Image.BILINEAR), which is what
// torchvision's Resize does on PIL images (antialias is implied there).
//
// Algorithm (Pillow's libImaging/Resample.c): a separable convolution, first along rows
// (horizontal pass) then along columns (vertical pass), with a triangle filter whose support
// is scaled by the shrink factor when shrinking (so every input pixel contributes: that is
// the antialiasing) and is 1 input pixel when enlarging. For each output pixel the weights
// over its input window are normalised to sum 1, converted to 22-bit fixed point (rounded
// half away from zero), accumulated in int32 starting at 0.5 and shifted back with clipping
// to 0..255. The intermediate image between the passes is uint8, as in PIL, so results match
// PIL bit for bit. The pass order matters for that (the uint8 rounding in between): Pillow
// runs the horizontal pass first, except, since Pillow 13 (python-pillow/Pillow#9549), when
// the height shrinks and loses more than twice as many pixels as the width
// (vertical_pass_first). tl
// follows Pillow 13; against Pillow <= 12 those resizes differ by at most 1 level per value.
// Cost: (H_in * W_out + H_out * W_out) * 3 * taps multiply-adds, taps = 2 * ceil(support) + 1.
#pragma once

#include "loaders/image.h"

namespace tl {

// in: (H, W, 3) -> (out_height, out_width, 3); sizes must be >= 1.
Image resize_bilinear(const Image& in, int out_height, int out_width);

// Pillow 13's pass order: vertical first when both sizes change, the height shrinks and
// in_height - out_height > 2 * (in_width - out_width). (Inferred from Pillow 13.0.0's output:
// it reproduces every one of ~540 random resizes, ties included, bit for bit.)
bool vertical_pass_first(int in_height, int in_width, int out_height, int out_width);

// torchvision's Resize(size) with an int: the shorter side becomes `size`, the longer one
// int(size * long / short) (truncated, as torchvision computes it).
Image resize_shorter_side(const Image& in, int size);

}  // namespace tl
