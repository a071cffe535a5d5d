#include "loaders/report_misclassified.h"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.h"

namespace tl {

namespace {

using L = MisclassifiedLayout;

// Scales (h, w, 3) to fit a thumbnail x thumbnail square (nearest neighbour, aspect kept) and
// draws it centred in the tile's image area.
void draw_thumbnail(Canvas& canvas, int x, int y, int tile_width, const MisclassifiedExample& e) {
  const double scale =
      std::min(static_cast<double>(L::thumbnail) / e.width, static_cast<double>(L::thumbnail) / e.height);
  const int out_w = std::max(1, static_cast<int>(e.width * scale)),
            out_h = std::max(1, static_cast<int>(e.height * scale));
  const int left = x + (tile_width - out_w) / 2, top = y + (L::thumbnail - out_h) / 2;
  for (int oy = 0; oy < out_h; ++oy) {
    const int sy = std::min(e.height - 1, static_cast<int>(oy / scale));
    for (int ox = 0; ox < out_w; ++ox) {
      const int sx = std::min(e.width - 1, static_cast<int>(ox / scale));
      const uint8_t* p = &e.pixels[(static_cast<size_t>(sy) * e.width + sx) * 3];
      canvas.set(left + ox, top + oy, {p[0], p[1], p[2]});
    }
  }
}

}  // namespace

int TileGeometry::tile_x(int index) const { return L::pad + (index % columns) * tile_width; }
int TileGeometry::tile_y(int index) const { return L::title_height + (index / columns) * tile_height; }

TileGeometry misclassified_geometry(size_t count, const std::vector<std::string>& class_names, int columns) {
  TL_CHECK(columns >= 1, "misclassified grid: columns must be >= 1, got " << columns);
  int longest = 0;
  for (const std::string& n : class_names) longest = std::max(longest, Canvas::text_width("pred: " + n));
  TileGeometry g;
  g.tile_width = std::max(L::thumbnail, longest) + L::pad;
  g.tile_height = L::thumbnail + L::caption_height + L::pad;
  g.columns = std::max(1, std::min(columns, static_cast<int>(count)));
  g.rows = std::max<int>(1, static_cast<int>((count + g.columns - 1) / g.columns));
  g.width = std::max(2 * L::pad + g.columns * g.tile_width, 360);
  g.height = L::title_height + g.rows * g.tile_height + L::pad;
  return g;
}

Canvas draw_misclassified_grid(const std::vector<MisclassifiedExample>& examples,
                               const std::vector<std::string>& class_names, const std::string& title,
                               int columns, size_t max_examples) {
  const size_t shown = std::min(examples.size(), max_examples);
  const TileGeometry g = misclassified_geometry(shown, class_names, columns);
  Canvas canvas(g.width, g.height);
  canvas.draw_text(L::pad, 12, title, colors::black, 2);
  if (shown == 0) {
    canvas.draw_text(L::pad, L::title_height + 8, "no misclassified images", colors::grey);
    return canvas;
  }
  const int k = static_cast<int>(class_names.size());
  for (size_t i = 0; i < shown; ++i) {
    const MisclassifiedExample& e = examples[i];
    TL_CHECK(e.height > 0 && e.width > 0 && e.pixels.size() == static_cast<size_t>(e.height) * e.width * 3,
             "misclassified grid: example " << i << " has " << e.pixels.size() << " bytes for " << e.height
                                            << "x" << e.width << "x3");
    TL_CHECK(e.true_label >= 0 && e.true_label < k && e.predicted_label >= 0 && e.predicted_label < k,
             "misclassified grid: example " << i << " has labels " << e.true_label << "/" << e.predicted_label
                                            << " outside 0.." << k - 1);
    const int x = g.tile_x(static_cast<int>(i)), y = g.tile_y(static_cast<int>(i));
    draw_thumbnail(canvas, x, y, g.tile_width - L::pad, e);
    canvas.draw_text(x, y + L::thumbnail + 4, "true: " + class_names[e.true_label], colors::black);
    canvas.draw_text(x, y + L::thumbnail + 16, "pred: " + class_names[e.predicted_label], colors::red);
  }
  return canvas;
}

void write_misclassified_png(const std::string& path, const std::vector<MisclassifiedExample>& examples,
                             const std::vector<std::string>& class_names, const std::string& title,
                             int columns, size_t max_examples) {
  draw_misclassified_grid(examples, class_names, title, columns, max_examples).save_png(path);
}

}  // namespace tl
