#include "loaders/report_curves.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "kernels/common/error.h"

namespace tl {

namespace {

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `target` ticks over `range`.
double nice_step(double range, int target) {
  if (!(range > 0)) return 1;
  const double raw = range / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * power >= raw) return m * power;
  return 10 * power;
}

struct Series {
  std::string name;
  Rgb color;
  std::vector<double> values;  // one per epoch; NaN: missing
};

// One chart: the plot area is the panel minus its margins; values map linearly onto it.
void draw_panel(Canvas& canvas, int left, int top, const std::string& title, const std::string& y_label,
                const std::vector<int>& epochs, const std::vector<Series>& series, double y_min, double y_max,
                bool legend_at_bottom) {
  using L = CurvesLayout;
  const int x0 = left + L::margin_left, x1 = left + L::panel_width - L::margin_right;
  const int y0 = top + L::margin_top, y1 = top + L::panel_height - L::margin_bottom;
  const double e_min = epochs.front(), e_max = std::max<double>(epochs.back(), e_min + 1);
  auto px = [&](double epoch) {
    return x0 + static_cast<int>(std::lround((epoch - e_min) / (e_max - e_min) * (x1 - x0)));
  };
  auto py = [&](double v) {
    return y1 - static_cast<int>(std::lround((v - y_min) / (y_max - y_min) * (y1 - y0)));
  };

  canvas.draw_text(left + (L::panel_width - Canvas::text_width(title, 2)) / 2, top + 8, title, colors::black,
                   2);
  // Grid and ticks.
  const double y_step = nice_step(y_max - y_min, 5);
  for (double v = std::ceil(y_min / y_step) * y_step; v <= y_max + 1e-9; v += y_step) {
    const int y = py(v);
    canvas.fill_rect(x0, y, x1 - x0, 1, colors::light_grey);
    const std::string label = format_tick(std::fabs(v) < 1e-12 ? 0.0 : v);
    canvas.draw_text(x0 - 6 - Canvas::text_width(label), y - 3, label, colors::black);
  }
  const double e_step = std::max(1.0, nice_step(e_max - e_min, 8));
  for (double e = e_min; e <= e_max + 1e-9; e += e_step) {
    const int x = px(e);
    canvas.fill_rect(x, y1, 1, 5, colors::black);
    const std::string label = format_tick(e);
    canvas.draw_text(x - Canvas::text_width(label) / 2, y1 + 8, label, colors::black);
  }
  // Axes and their labels.
  canvas.fill_rect(x0, y0, 1, y1 - y0 + 1, colors::black);
  canvas.fill_rect(x0, y1, x1 - x0 + 1, 1, colors::black);
  canvas.draw_text(x0 + (x1 - x0 - Canvas::text_width("epoch")) / 2, y1 + 26, "epoch", colors::black);
  canvas.draw_text_vertical(left + 8, y0 + (y1 - y0 + Canvas::text_width(y_label)) / 2, y_label,
                            colors::black);
  // Curves, with a marker on every point.
  for (const Series& s : series) {
    for (size_t i = 0; i < epochs.size(); ++i) {
      if (std::isnan(s.values[i])) continue;
      const int x = px(epochs[i]), y = py(s.values[i]);
      canvas.fill_rect(x - 2, y - 2, 5, 5, s.color);
      if (i + 1 < epochs.size() && !std::isnan(s.values[i + 1]))
        canvas.draw_line(x, y, px(epochs[i + 1]), py(s.values[i + 1]), s.color, 2);
    }
  }
  // Legend in the top-right (falling curves) or bottom-right (rising curves) corner, on white.
  int legend_width = 0;
  for (const Series& s : series) legend_width = std::max(legend_width, Canvas::text_width(s.name) + 34);
  const int legend_height = 14 * static_cast<int>(series.size()) + 6;
  int legend_y = legend_at_bottom ? y1 - 8 - legend_height : y0 + 8;
  canvas.fill_rect(x1 - 4 - legend_width, legend_y - 4, legend_width, legend_height, colors::white);
  canvas.draw_rect(x1 - 4 - legend_width, legend_y - 4, legend_width, legend_height, colors::light_grey);
  for (const Series& s : series) {
    const int text_x = x1 - 8 - Canvas::text_width(s.name);
    canvas.fill_rect(text_x - 26, legend_y + 2, 20, 3, s.color);
    canvas.draw_text(text_x, legend_y, s.name, colors::black);
    legend_y += 14;
  }
}

}  // namespace

Canvas draw_curves(const std::vector<EpochMetrics>& epochs, const std::string& title) {
  TL_CHECK(!epochs.empty(), "training curves: no epochs to draw");
  using L = CurvesLayout;
  Canvas canvas(L::width, L::height);
  canvas.draw_text((L::width - Canvas::text_width(title, 2)) / 2, 10, title, colors::black, 2);

  std::vector<int> epoch_numbers;
  Series train_loss{"train", colors::blue, {}}, val_loss{"validation", colors::orange, {}};
  Series train_acc{"train", colors::blue, {}}, val_acc{"validation", colors::orange, {}};
  bool any_validation = false;
  for (const EpochMetrics& m : epochs) {
    epoch_numbers.push_back(m.epoch);
    train_loss.values.push_back(m.train_loss);
    val_loss.values.push_back(m.has_validation() ? m.val_loss : NAN);
    train_acc.values.push_back(m.train_accuracy);
    val_acc.values.push_back(m.has_validation() ? m.val_accuracy : NAN);
    any_validation = any_validation || m.has_validation();
  }
  std::vector<Series> losses{train_loss}, accuracies{train_acc};
  if (any_validation) {
    losses.push_back(val_loss);
    accuracies.push_back(val_acc);
  }
  double loss_max = 0;
  for (const Series& s : losses)
    for (double v : s.values)
      if (std::isfinite(v)) loss_max = std::max(loss_max, v);
  loss_max = loss_max > 0 ? loss_max * 1.1 : 1.0;
  draw_panel(canvas, 0, L::title_height, "Loss", "cross-entropy loss", epoch_numbers, losses, 0.0, loss_max,
             false);
  draw_panel(canvas, L::panel_width, L::title_height, "Accuracy", "accuracy", epoch_numbers, accuracies, 0.0,
             1.0, true);
  return canvas;
}

void write_curves_png(const std::string& path, const std::vector<EpochMetrics>& epochs,
                      const std::string& title) {
  draw_curves(epochs, title).save_png(path);
}

}  // namespace tl
