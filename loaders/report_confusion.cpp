#include "loaders/report_confusion.h"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.h"

namespace tl {

namespace {

constexpr int kTitleHeight = 40, kPad = 12;
constexpr Rgb kDarkest{8, 48, 107};  // matplotlib's "Blues" at its dark end

int longest_name(const std::vector<std::string>& names) {
  int longest = 0;
  for (const std::string& n : names) longest = std::max(longest, Canvas::text_width(n));
  return longest;
}

uint8_t mix(uint8_t from, uint8_t to, double t) {
  return static_cast<uint8_t>(std::lround(from + (to - from) * t));
}

}  // namespace

ConfusionGeometry confusion_geometry(const std::vector<std::string>& class_names, const std::string& title) {
  const int k = static_cast<int>(class_names.size());
  ConfusionGeometry g;
  g.cell = k <= 10 ? 56 : k <= 20 ? 40 : 28;
  const int names = longest_name(class_names);
  g.grid_left = kPad + 16 + names + 8;  // "true" label, names, gap
  g.grid_top = kTitleHeight;
  g.width = std::max(g.grid_left + k * g.cell + kPad, 2 * kPad + Canvas::text_width(title, 2));
  g.height = g.grid_top + k * g.cell + 8 + names + 28;  // grid, vertical names, "predicted"
  return g;
}

Rgb confusion_cell_color(int64_t count, int64_t max_count) {
  const double t = max_count > 0 ? static_cast<double>(count) / static_cast<double>(max_count) : 0.0;
  return {mix(255, kDarkest.r, t), mix(255, kDarkest.g, t), mix(255, kDarkest.b, t)};
}

Canvas draw_confusion_matrix(const std::vector<int64_t>& counts, const std::vector<std::string>& class_names,
                             const std::string& title) {
  const size_t k = class_names.size();
  TL_CHECK(k >= 1 && k <= 1000, "confusion matrix: expected 1..1000 class names, got " << k);
  TL_CHECK(counts.size() == k * k, "confusion matrix: expected " << k * k << " counts for " << k
                                                                 << " classes, got " << counts.size());
  const ConfusionGeometry g = confusion_geometry(class_names, title);
  Canvas canvas(g.width, g.height);
  canvas.draw_text((g.width - Canvas::text_width(title, 2)) / 2, 12, title, colors::black, 2);

  const int64_t max_count = std::max<int64_t>(1, *std::max_element(counts.begin(), counts.end()));
  const int n = static_cast<int>(k);
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < n; ++c) {
      const int64_t count = counts[r * k + c];
      TL_CHECK(count >= 0, "confusion matrix: negative count " << count << " at (" << r << ", " << c << ")");
      const int x = g.grid_left + c * g.cell, y = g.grid_top + r * g.cell;
      canvas.fill_rect(x, y, g.cell, g.cell, confusion_cell_color(count, max_count));
      const std::string text = std::to_string(count);
      const Rgb ink =
          static_cast<double>(count) / static_cast<double>(max_count) > 0.5 ? colors::white : colors::black;
      canvas.draw_text(x + (g.cell - Canvas::text_width(text)) / 2, y + (g.cell - Canvas::text_height()) / 2,
                       text, ink);
    }
    // Row names, right-aligned against the grid.
    const std::string& name = class_names[r];
    canvas.draw_text(g.grid_left - 8 - Canvas::text_width(name), g.grid_top + r * g.cell + (g.cell - 7) / 2,
                     name, colors::black);
    // Column names, vertical, below the grid.
    canvas.draw_text_vertical(g.grid_left + r * g.cell + (g.cell - 7) / 2,
                              g.grid_top + n * g.cell + 8 + Canvas::text_width(name), name, colors::black);
  }
  canvas.draw_rect(g.grid_left - 1, g.grid_top - 1, n * g.cell + 2, n * g.cell + 2, colors::grey);
  // Axis titles: "true" vertical on the left, "predicted" centred at the bottom.
  canvas.draw_text_vertical(kPad, g.grid_top + (n * g.cell + Canvas::text_width("true")) / 2, "true",
                            colors::black);
  canvas.draw_text(g.grid_left + (n * g.cell - Canvas::text_width("predicted")) / 2, g.height - 18,
                   "predicted", colors::black);
  return canvas;
}

void write_confusion_png(const std::string& path, const std::vector<int64_t>& counts,
                         const std::vector<std::string>& class_names, const std::string& title) {
  draw_confusion_matrix(counts, class_names, title).save_png(path);
}

}  // namespace tl
