// Image decoding with stb_image: JPEG (baseline and progressive), PNG (8 and 16 bit,
// grayscale, palette, alpha) and BMP, always to RGB uint8 (see loaders/image.h).
//
// Conversion to RGB follows PIL's Image.convert("RGB"), which torchvision's ImageFolder uses:
// grayscale is replicated to 3 channels, alpha is dropped (not blended), palettes are looked
// up. 16-bit samples keep their high byte (PIL does the same for 16-bit RGB; for 16-bit
// *grayscale* PIL clips the value to 255 instead, which we do not copy).
// Every failure is a tl::Error naming the file: empty, truncated, not an image, a format tl
// does not read (GIF, TIFF, WebP, ...), or more pixels than DecodeOptions::max_pixels, which
// is checked from the header before any pixel is decoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "loaders/image.h"
#include "loaders/limits.h"

namespace tl {

struct DecodeOptions {
  // Decompression-bomb guard; by default loader_limits().max_image_pixels (PIL's
  // Image.MAX_IMAGE_PIXELS, 1024 * 1024 * 1024 / 4 / 3).
  int64_t max_pixels = loader_limits().max_image_pixels;
};

enum class ImageFormat { jpeg, png, bmp, gif, tiff, webp, unknown };
const char* image_format_name(ImageFormat format);
ImageFormat sniff_image_format(const uint8_t* data, size_t size);  // from the magic bytes

// `name` (usually the path) is what error messages call the image.
Image decode_image(const uint8_t* data, size_t size, const std::string& name,
                   const DecodeOptions& options = {});
Image read_image(const std::string& path, const DecodeOptions& options = {});

std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& what);

}  // namespace tl
