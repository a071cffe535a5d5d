#include "loaders/report_canvas.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "kernels/common/error.h"

// Both stb headers are used privately here: STB_IMAGE_WRITE_STATIC keeps the writer's symbols
// local to this file, so it cannot clash with another file that also implements stb_image_write.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_easy_font.h>
#include <stb_image_write.h>

namespace tl {

namespace {

// stb_easy_font covers printable ASCII only; anything else would index past its tables.
std::string printable_ascii(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 32 || static_cast<unsigned char>(c) > 126) c = '?';
  return out;
}

}  // namespace

Canvas::Canvas(int width, int height, Rgb background) : width_(width), height_(height) {
  TL_CHECK(width > 0 && height > 0 && width <= 16384 && height <= 16384,
           "report canvas: size " << width << "x" << height << " must be within 1..16384");
  pixels_.resize(static_cast<size_t>(width) * height * 3);
  fill_rect(0, 0, width, height, background);
}

Rgb Canvas::at(int x, int y) const {
  TL_CHECK(x >= 0 && y >= 0 && x < width_ && y < height_,
           "report canvas: pixel (" << x << ", " << y << ") outside " << width_ << "x" << height_);
  const uint8_t* p = &pixels_[(static_cast<size_t>(y) * width_ + x) * 3];
  return {p[0], p[1], p[2]};
}

void Canvas::set(int x, int y, Rgb color) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  uint8_t* p = &pixels_[(static_cast<size_t>(y) * width_ + x) * 3];
  p[0] = color.r;
  p[1] = color.g;
  p[2] = color.b;
}

void Canvas::fill_rect(int x, int y, int w, int h, Rgb color) {
  const int x0 = std::max(x, 0), y0 = std::max(y, 0);
  const int x1 = std::min(x + w, width_), y1 = std::min(y + h, height_);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) set(xx, yy, color);
}

void Canvas::draw_rect(int x, int y, int w, int h, Rgb color) {
  fill_rect(x, y, w, 1, color);
  fill_rect(x, y + h - 1, w, 1, color);
  fill_rect(x, y, 1, h, color);
  fill_rect(x + w - 1, y, 1, h, color);
}

void Canvas::draw_line(int x0, int y0, int x1, int y1, Rgb color, int thickness) {
  const int dx = std::abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
  const int dy = -std::abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
  const int before = (thickness - 1) / 2;
  int err = dx + dy;
  while (true) {
    fill_rect(x0 - before, y0 - before, thickness, thickness, color);
    if (x0 == x1 && y0 == y1) break;
    const int e2 = 2 * err;
    if (e2 >= dy) err += dy, x0 += sx;
    if (e2 <= dx) err += dx, y0 += sy;
  }
}

void Canvas::draw_image(int x, int y, const uint8_t* rgb, int w, int h, int zoom) {
  for (int iy = 0; iy < h; ++iy)
    for (int ix = 0; ix < w; ++ix) {
      const uint8_t* p = rgb + (static_cast<size_t>(iy) * w + ix) * 3;
      fill_rect(x + ix * zoom, y + iy * zoom, zoom, zoom, {p[0], p[1], p[2]});
    }
}

template <typename Fill>
void Canvas::for_each_text_quad(const std::string& text, Fill&& fill) {
  std::string ascii = printable_ascii(text);
  // ~270 bytes per character on average (stb_easy_font's documentation); 64 bytes per quad.
  std::vector<char> buffer(ascii.size() * 400 + 64);
  const int quads =
      stb_easy_font_print(0, 0, ascii.data(), nullptr, buffer.data(), static_cast<int>(buffer.size()));
  for (int q = 0; q < quads; ++q) {
    // 4 vertices of 16 bytes (x, y, z float, rgba); vertex 0 and 2 are opposite corners.
    float v0[2], v2[2];
    std::memcpy(v0, buffer.data() + q * 64, sizeof v0);
    std::memcpy(v2, buffer.data() + q * 64 + 32, sizeof v2);
    fill(static_cast<int>(std::lround(std::min(v0[0], v2[0]))),
         static_cast<int>(std::lround(std::min(v0[1], v2[1]))),
         static_cast<int>(std::lround(std::fabs(v2[0] - v0[0]))),
         static_cast<int>(std::lround(std::fabs(v2[1] - v0[1]))));
  }
}

void Canvas::draw_text(int x, int y, const std::string& text, Rgb color, int scale) {
  for_each_text_quad(text, [&](int qx, int qy, int qw, int qh) {
    fill_rect(x + qx * scale, y + qy * scale, qw * scale, qh * scale, color);
  });
}

void Canvas::draw_text_vertical(int x, int y, const std::string& text, Rgb color, int scale) {
  // Rotate by 90 degrees counter-clockwise: text x runs up the canvas, text y runs right.
  for_each_text_quad(text, [&](int qx, int qy, int qw, int qh) {
    fill_rect(x + qy * scale, y - (qx + qw) * scale, qh * scale, qw * scale, color);
  });
}

int Canvas::text_width(const std::string& text, int scale) {
  std::string ascii = printable_ascii(text);
  return stb_easy_font_width(ascii.data()) * scale;
}

int Canvas::text_height(int scale) { return 7 * scale; }

void Canvas::save_png(const std::string& path) const {
  const int ok = stbi_write_png(path.c_str(), width_, height_, 3, pixels_.data(), width_ * 3);
  TL_CHECK(ok != 0, "could not write the PNG '" << path << "' (is the folder there and writable?)");
}

std::string format_tick(double value) {
  std::ostringstream out;
  if (std::fabs(value - std::round(value)) < 1e-9 && std::fabs(value) < 1e9) {
    out << static_cast<long long>(std::llround(value));
  } else {
    out << std::setprecision(3) << value;
  }
  return out.str();
}

}  // namespace tl
