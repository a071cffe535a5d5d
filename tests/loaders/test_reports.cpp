// Reports: the PNGs decode (stb_image, an independent decoder) with the expected size and the
// expected pixels where the layout says they are; the metrics files read back to the numbers
// written.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "kernels/common/error.h"
#include "loaders/report_canvas.h"
#include "loaders/report_confusion.h"
#include "loaders/report_curves.h"
#include "loaders/report_metrics.h"
#include "loaders/report_misclassified.h"

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>

namespace tl {
namespace {

namespace fs = std::filesystem;

struct DecodedPng {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // (H, W, 3)
  Rgb at(int x, int y) const {
    const uint8_t* p = &pixels[(static_cast<size_t>(y) * width + x) * 3];
    return {p[0], p[1], p[2]};
  }
};

DecodedPng decode_png(const fs::path& path) {
  int w = 0, h = 0, channels = 0;
  uint8_t* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
  EXPECT_NE(data, nullptr) << "stb_image could not decode " << path;
  DecodedPng png{w, h, {}};
  if (data) png.pixels.assign(data, data + static_cast<size_t>(w) * h * 3);
  stbi_image_free(data);
  return png;
}

class ReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tl_reports_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

int count_pixels(const DecodedPng& png, Rgb color) {
  int n = 0;
  for (int y = 0; y < png.height; ++y)
    for (int x = 0; x < png.width; ++x) n += png.at(x, y) == color;
  return n;
}

int luminance(Rgb c) { return c.r + c.g + c.b; }

TEST_F(ReportsTest, CanvasTextRendersInk) {
  Canvas canvas(100, 30);
  canvas.draw_text(2, 2, "Ag", colors::black);
  int ink = 0;
  for (int y = 0; y < 30; ++y)
    for (int x = 0; x < 100; ++x) ink += canvas.at(x, y) == colors::black;
  EXPECT_GT(ink, 10);
  EXPECT_EQ(Canvas::text_width("AAAA"), 4 * Canvas::text_width("A"));
  EXPECT_EQ(Canvas::text_width("AB", 2), 2 * Canvas::text_width("AB"));
  // Vertical text: taller than wide, the horizontal one wider than tall.
  Canvas vertical(30, 100);
  vertical.draw_text_vertical(5, 90, "ABCDEFG", colors::black);
  int min_y = 100, max_y = -1, min_x = 30, max_x = -1;
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 30; ++x)
      if (vertical.at(x, y) == colors::black)
        min_y = std::min(min_y, y), max_y = std::max(max_y, y), min_x = std::min(min_x, x),
        max_x = std::max(max_x, x);
  EXPECT_GT(max_y - min_y, 3 * (max_x - min_x));
  EXPECT_LE(max_y, 90);
}

TEST_F(ReportsTest, CanvasRejectsBadSizeAndUnwritablePath) {
  EXPECT_THROW(Canvas(0, 10), Error);
  Canvas canvas(4, 4);
  EXPECT_THROW(canvas.save_png((dir_ / "no_such_folder" / "x.png").string()), Error);
}

TEST_F(ReportsTest, CanvasPngRoundTrips) {
  Canvas canvas(7, 5);
  canvas.set(3, 2, {10, 200, 30});
  canvas.fill_rect(0, 4, 7, 1, colors::blue);
  canvas.save_png((dir_ / "c.png").string());
  const DecodedPng png = decode_png(dir_ / "c.png");
  ASSERT_EQ(png.width, 7);
  ASSERT_EQ(png.height, 5);
  EXPECT_EQ(png.at(3, 2), (Rgb{10, 200, 30}));
  EXPECT_EQ(png.at(6, 4), colors::blue);
  EXPECT_EQ(png.at(0, 0), colors::white);
}

TEST_F(ReportsTest, ConfusionCellShadeFollowsCounts) {
  const std::vector<std::string> names{"Sandal", "Shirt", "Sneaker"};
  // Distinct counts so that every cell's shade is ordered against every other.
  const std::vector<int64_t> counts{90, 3, 7, 0, 55, 20, 12, 1, 80};
  const fs::path path = dir_ / "confusion.png";
  write_confusion_png(path.string(), counts, names, "Confusion matrix");
  const DecodedPng png = decode_png(path);
  const ConfusionGeometry g = confusion_geometry(names, "Confusion matrix");
  ASSERT_EQ(png.width, g.width);
  ASSERT_EQ(png.height, g.height);
  // Sample each cell at a corner, away from its centred count.
  auto cell = [&](int r, int c) { return png.at(g.grid_left + c * g.cell + 3, g.grid_top + r * g.cell + 3); };
  for (size_t a = 0; a < counts.size(); ++a)
    for (size_t b = 0; b < counts.size(); ++b)
      if (counts[a] > counts[b]) {
        EXPECT_LT(luminance(cell(a / 3, a % 3)), luminance(cell(b / 3, b % 3)))
            << "cell " << a << " (" << counts[a] << ") should be darker than cell " << b << " (" << counts[b]
            << ")";
      }
  EXPECT_EQ(cell(1, 0), colors::white);  // count 0
  EXPECT_EQ(cell(0, 0), confusion_cell_color(90, 90));
  // The counts and names are drawn: dark ink inside the zero cell, and left of the grid.
  int ink_left = 0;
  for (int y = g.grid_top; y < g.grid_top + 3 * g.cell; ++y)
    for (int x = 0; x < g.grid_left - 2; ++x) ink_left += png.at(x, y) == colors::black;
  EXPECT_GT(ink_left, 50);
}

TEST_F(ReportsTest, ConfusionRejectsWrongCountSize) {
  EXPECT_THROW(draw_confusion_matrix({1, 2, 3}, {"a", "b"}, "t"), Error);
  EXPECT_THROW(draw_confusion_matrix({1, -2, 3, 4}, {"a", "b"}, "t"), Error);
  EXPECT_THROW(draw_confusion_matrix({}, {}, "t"), Error);
}

std::vector<EpochMetrics> sample_epochs(bool validation) {
  std::vector<EpochMetrics> epochs;
  for (int e = 1; e <= 6; ++e) {
    EpochMetrics m;
    m.epoch = e;
    m.train_loss = 1.6 / e;
    m.train_accuracy = 1.0 - 0.5 / e;
    m.val_loss = validation ? 1.7 / e + 0.05 : std::numeric_limits<double>::quiet_NaN();
    m.val_accuracy = validation ? 0.95 - 0.5 / e : std::numeric_limits<double>::quiet_NaN();
    m.seconds = 0.125 * e + 1.0 / 3.0;
    epochs.push_back(m);
  }
  return epochs;
}

TEST_F(ReportsTest, CurvesDrawBothSeriesWhenValidated) {
  const fs::path path = dir_ / "curves.png";
  write_curves_png(path.string(), sample_epochs(true), "Training curves");
  const DecodedPng png = decode_png(path);
  ASSERT_EQ(png.width, CurvesLayout::width);
  ASSERT_EQ(png.height, CurvesLayout::height);
  EXPECT_GT(count_pixels(png, colors::blue), 200);
  EXPECT_GT(count_pixels(png, colors::orange), 200);
  // The training loss falls: its first point (epoch 1) is higher on the canvas (smaller y) than
  // its last; scan the left panel's first and last marker columns for blue.
  using L = CurvesLayout;
  const int x_first = L::margin_left, x_last = L::panel_width - L::margin_right;
  auto topmost_blue = [&](int x) {
    for (int y = 0; y < png.height; ++y)
      if (png.at(x, y) == colors::blue) return y;
    return -1;
  };
  ASSERT_GE(topmost_blue(x_first), 0);
  ASSERT_GE(topmost_blue(x_last), 0);
  EXPECT_LT(topmost_blue(x_first), topmost_blue(x_last));
}

TEST_F(ReportsTest, CurvesWithoutValidationHaveNoValidationSeries) {
  const Canvas canvas = draw_curves(sample_epochs(false), "no validation");
  int orange = 0;
  for (int y = 0; y < canvas.height(); ++y)
    for (int x = 0; x < canvas.width(); ++x) orange += canvas.at(x, y) == colors::orange;
  EXPECT_EQ(orange, 0);
  EXPECT_THROW(draw_curves({}, "empty"), Error);
}

TEST_F(ReportsTest, MisclassifiedGridShowsImagesAndCaptions) {
  const std::vector<std::string> names{"Sandal", "Shirt", "Ankle boot"};
  std::vector<MisclassifiedExample> examples;
  for (int i = 0; i < 8; ++i) {
    MisclassifiedExample e{28, 28, std::vector<uint8_t>(28 * 28 * 3), i % 3, (i + 1) % 3};
    // A solid colour per image: (i*30, 255-i*30, 77), distinct from the captions' inks.
    for (size_t p = 0; p < e.pixels.size(); p += 3)
      e.pixels[p] = i * 30, e.pixels[p + 1] = 255 - i * 30, e.pixels[p + 2] = 77;
    examples.push_back(e);
  }
  const fs::path path = dir_ / "misclassified.png";
  write_misclassified_png(path.string(), examples, names, "Misclassified", 3);
  const DecodedPng png = decode_png(path);
  const TileGeometry g = misclassified_geometry(examples.size(), names, 3);
  ASSERT_EQ(png.width, g.width);
  ASSERT_EQ(png.height, g.height);
  EXPECT_EQ(g.rows, 3);
  for (int i = 0; i < 8; ++i) {
    // The thumbnail's centre holds the image's colour.
    const int cx = g.tile_x(i) + (g.tile_width - MisclassifiedLayout::pad) / 2;
    const int cy = g.tile_y(i) + MisclassifiedLayout::thumbnail / 2;
    EXPECT_EQ(png.at(cx, cy), (Rgb{static_cast<uint8_t>(i * 30), static_cast<uint8_t>(255 - i * 30), 77}))
        << i;
  }
  EXPECT_GT(count_pixels(png, colors::red), 100);  // predicted-label captions
}

TEST_F(ReportsTest, MisclassifiedRejectsBadExamples) {
  std::vector<MisclassifiedExample> bad{{2, 2, std::vector<uint8_t>(5), 0, 1}};
  EXPECT_THROW(draw_misclassified_grid(bad, {"a", "b"}, "t"), Error);
  std::vector<MisclassifiedExample> bad_label{{1, 1, std::vector<uint8_t>(3), 0, 7}};
  EXPECT_THROW(draw_misclassified_grid(bad_label, {"a", "b"}, "t"), Error);
  EXPECT_NO_THROW(draw_misclassified_grid({}, {"a", "b"}, "t"));
}

void expect_same(const std::vector<EpochMetrics>& a, const std::vector<EpochMetrics>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    // Written with 17 significant digits: the doubles come back exactly.
    EXPECT_EQ(a[i].train_loss, b[i].train_loss);
    EXPECT_EQ(a[i].train_accuracy, b[i].train_accuracy);
    EXPECT_EQ(a[i].seconds, b[i].seconds);
    EXPECT_EQ(a[i].has_validation(), b[i].has_validation());
    if (a[i].has_validation()) {
      EXPECT_EQ(a[i].val_loss, b[i].val_loss);
      EXPECT_EQ(a[i].val_accuracy, b[i].val_accuracy);
    }
  }
}

TEST_F(ReportsTest, MetricsCsvAndJsonReadBack) {
  for (bool validation : {true, false}) {
    const auto epochs = sample_epochs(validation);
    write_metrics_csv((dir_ / "m.csv").string(), epochs);
    write_metrics_json((dir_ / "m.json").string(), epochs);
    expect_same(epochs, read_metrics_csv((dir_ / "m.csv").string()));
    expect_same(epochs, read_metrics_json((dir_ / "m.json").string()));
  }
  // The JSON is plain JSON for other tools: parse it independently.
  write_metrics_json((dir_ / "m.json").string(), sample_epochs(false));
  std::ifstream in(dir_ / "m.json");
  const nlohmann::json doc = nlohmann::json::parse(in);
  ASSERT_EQ(doc["epochs"].size(), 6u);
  EXPECT_DOUBLE_EQ(doc["epochs"][1]["train_loss"].get<double>(), 0.8);
  EXPECT_TRUE(doc["epochs"][1]["val_loss"].is_null());
  // The CSV's header and first row, as text.
  write_metrics_csv((dir_ / "m.csv").string(), sample_epochs(false));
  std::ifstream csv(dir_ / "m.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  EXPECT_EQ(header, "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds");
  EXPECT_EQ(row.rfind("1,1.6000000000000001,0.5,,,", 0), 0u) << row;
}

TEST_F(ReportsTest, MetricsRejectMalformedFiles) {
  std::ofstream((dir_ / "bad.csv").string())
      << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n1,x,0.5,,,1\n";
  EXPECT_THROW(read_metrics_csv((dir_ / "bad.csv").string()), Error);
  std::ofstream((dir_ / "short.csv").string())
      << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n1,0.5\n";
  EXPECT_THROW(read_metrics_csv((dir_ / "short.csv").string()), Error);
  std::ofstream((dir_ / "header.csv").string()) << "a,b\n";
  EXPECT_THROW(read_metrics_csv((dir_ / "header.csv").string()), Error);
  std::ofstream((dir_ / "bad.json").string()) << "{\"epochs\": [";
  EXPECT_THROW(read_metrics_json((dir_ / "bad.json").string()), Error);
  std::ofstream((dir_ / "shape.json").string()) << "{\"epochs\": 3}";
  EXPECT_THROW(read_metrics_json((dir_ / "shape.json").string()), Error);
  EXPECT_THROW(read_metrics_csv((dir_ / "missing.csv").string()), Error);
}

}  // namespace
}  // namespace tl
