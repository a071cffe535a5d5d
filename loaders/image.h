// Image: one decoded picture as tl's input pipeline handles it, RGB uint8, channels-last.
//
//   pixels: (H, W, 3), rows top to bottom, R G B per pixel
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tl {

struct Image {
  int height = 0;
  int width = 0;
  std::vector<uint8_t> pixels;  // (H, W, 3)

  static Image zeros(int height, int width) {
    return {height, width, std::vector<uint8_t>(static_cast<size_t>(height) * width * 3, 0)};
  }
  uint8_t* row(int y) { return pixels.data() + static_cast<size_t>(y) * width * 3; }
  const uint8_t* row(int y) const { return pixels.data() + static_cast<size_t>(y) * width * 3; }
};

}  // namespace tl
