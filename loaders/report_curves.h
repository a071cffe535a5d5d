// The training-curves report: one PNG with two line charts side by side, loss per epoch and
// accuracy per epoch, each with the training curve (blue) and, when there is a validation set,
// the validation curve (orange); axes with ticks, axis labels and a legend.
#pragma once

#include <string>
#include <vector>

#include "loaders/report_canvas.h"
#include "loaders/report_metrics.h"

namespace tl {

struct CurvesLayout {
  static constexpr int panel_width = 480, panel_height = 360, title_height = 36;
  static constexpr int margin_left = 64, margin_right = 16, margin_top = 36, margin_bottom = 52;
  static constexpr int width = 2 * panel_width, height = title_height + panel_height;
};

// epochs: at least one. Throws tl::Error when empty.
Canvas draw_curves(const std::vector<EpochMetrics>& epochs, const std::string& title);
void write_curves_png(const std::string& path, const std::vector<EpochMetrics>& epochs,
                      const std::string& title);

}  // namespace tl
