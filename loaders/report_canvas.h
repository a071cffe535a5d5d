// Canvas: a small RGB raster for tl's report PNGs (curves, confusion matrices, image grids).
//
// Pixels are (H, W, 3) uint8, rows top to bottom; x grows right, y grows down. Text comes from
// stb_easy_font (libstb-dev): a built-in bitmap font that yields axis-aligned quads, which the
// canvas fills, scaled by an integer factor (scale 1: capitals 7 px tall, a line 12 px).
// PNGs are written with stb_image_write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tl {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

namespace colors {
inline constexpr Rgb white{255, 255, 255};
inline constexpr Rgb black{0, 0, 0};
inline constexpr Rgb grey{128, 128, 128};
inline constexpr Rgb light_grey{225, 225, 225};
inline constexpr Rgb blue{31, 119, 180};    // matplotlib's tab:blue
inline constexpr Rgb orange{255, 127, 14};  // tab:orange
inline constexpr Rgb green{44, 160, 44};    // tab:green
inline constexpr Rgb red{214, 39, 40};      // tab:red
}  // namespace colors

class Canvas {
 public:
  Canvas(int width, int height, Rgb background = colors::white);

  int width() const { return width_; }
  int height() const { return height_; }
  const std::vector<uint8_t>& pixels() const { return pixels_; }  // (H, W, 3)
  Rgb at(int x, int y) const;

  void set(int x, int y, Rgb color);  // ignored outside the canvas
  void fill_rect(int x, int y, int w, int h, Rgb color);
  void draw_rect(int x, int y, int w, int h, Rgb color);  // 1 px outline
  // A straight line (Bresenham), `thickness` px wide.
  void draw_line(int x0, int y0, int x1, int y1, Rgb color, int thickness = 1);
  // Copies an (h, w, 3) uint8 image, each pixel enlarged to a `zoom` x `zoom` block.
  void draw_image(int x, int y, const uint8_t* rgb, int w, int h, int zoom = 1);

  // Text with its top-left corner at (x, y); horizontal, or vertical reading bottom to top with
  // its bottom-left corner at (x, y).
  void draw_text(int x, int y, const std::string& text, Rgb color, int scale = 1);
  void draw_text_vertical(int x, int y, const std::string& text, Rgb color, int scale = 1);
  static int text_width(const std::string& text, int scale = 1);
  static int text_height(int scale = 1);  // of one line of capitals, without descenders

  void save_png(const std::string& path) const;  // tl::Error naming the path on failure

 private:
  template <typename Fill>
  static void for_each_text_quad(const std::string& text, Fill&& fill);

  int width_, height_;
  std::vector<uint8_t> pixels_;
};

// "0.5", "12", "0.125": a short label for a number on an axis.
std::string format_tick(double value);

}  // namespace tl
