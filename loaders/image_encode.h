// Image encoding with stb_image_write: PNG (lossless) and JPEG, for test inputs, benchmark
// data and reports. in: (H, W, 3) RGB uint8.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loaders/image.h"

namespace tl {

std::vector<uint8_t> encode_png(const Image& image);
// A PNG of 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels: pixels (H, W, channels).
std::vector<uint8_t> encode_png(const uint8_t* pixels, int height, int width, int channels);
std::vector<uint8_t> encode_jpeg(const Image& image, int quality = 90);  // quality 1..100
std::vector<uint8_t> encode_bmp(const Image& image);

// Writes `bytes` to `path` (tl::Error naming the path on failure).
void write_file_bytes(const std::string& path, const std::vector<uint8_t>& bytes);  // atomically (temp + rename)

}  // namespace tl
