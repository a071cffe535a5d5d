// The confusion-matrix report: a PNG grid, row = true class, column = predicted class, class
// names on both axes, the count in every cell, and the cell shaded from white (0) to dark blue
// (the largest count), so the diagonal of a good model stands out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loaders/report_canvas.h"

namespace tl {

// Where the grid lies on the canvas (tests sample cells through it).
struct ConfusionGeometry {
  int grid_left = 0, grid_top = 0, cell = 0;  // cell (row r, column c) starts at
  int width = 0, height = 0;                  // (grid_left + c * cell, grid_top + r * cell)
};
ConfusionGeometry confusion_geometry(const std::vector<std::string>& class_names, const std::string& title);

// The shade of a cell holding `count` when the largest cell holds `max_count`.
Rgb confusion_cell_color(int64_t count, int64_t max_count);

// counts: (K, K) row-major, counts[true * K + predicted]; K = class_names.size() >= 1.
Canvas draw_confusion_matrix(const std::vector<int64_t>& counts, const std::vector<std::string>& class_names,
                             const std::string& title);
void write_confusion_png(const std::string& path, const std::vector<int64_t>& counts,
                         const std::vector<std::string>& class_names, const std::string& title);

}  // namespace tl
