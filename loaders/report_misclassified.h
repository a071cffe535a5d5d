// The misclassified-images report of `tl eval`: a PNG grid of the images the model got wrong,
// each with its true label (black) and the predicted one (red), so a person can see at a glance
// what the model confuses and whether the labels themselves are right.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loaders/report_canvas.h"

namespace tl {

struct MisclassifiedExample {
  int height = 0, width = 0;
  std::vector<uint8_t> pixels;  // (H, W, 3) RGB, as decoded (before normalization)
  int true_label = 0, predicted_label = 0;
};

struct MisclassifiedLayout {
  static constexpr int thumbnail = 96;  // images are scaled (nearest) to fit a 96x96 square
  static constexpr int title_height = 40, pad = 10, caption_height = 28;
};

// Where tile `index` starts (its thumbnail's top-left corner) in a grid of `columns`.
struct TileGeometry {
  int tile_width = 0, tile_height = 0, columns = 0, rows = 0, width = 0, height = 0;
  int tile_x(int index) const;
  int tile_y(int index) const;
};
TileGeometry misclassified_geometry(size_t count, const std::vector<std::string>& class_names, int columns);

// Shows at most `max_examples` of `examples` (in order); an empty list draws a "none" note.
Canvas draw_misclassified_grid(const std::vector<MisclassifiedExample>& examples,
                               const std::vector<std::string>& class_names, const std::string& title,
                               int columns = 6, size_t max_examples = 48);
void write_misclassified_png(const std::string& path, const std::vector<MisclassifiedExample>& examples,
                             const std::vector<std::string>& class_names, const std::string& title,
                             int columns = 6, size_t max_examples = 48);

}  // namespace tl
