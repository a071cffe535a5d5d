// IDX files (header checked against the data, gzip or plain) and Fashion-MNIST from the
// Debian package dataset-fashion-mnist.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

#include "loaders/idx_dataset.h"
#include "loaders/idx_file.h"
#include "loaders/image_encode.h"
#include "tests/loaders/image_test_util.h"

namespace tl {
namespace {

using test::expect_error;

const std::string kFashionMnist = "/usr/share/datasets/fashion-mnist";

std::vector<uint8_t> idx_bytes(uint8_t type, const std::vector<uint32_t>& dims, size_t data_bytes) {
  std::vector<uint8_t> out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<uint8_t>(d >> shift));
  for (size_t i = 0; i < data_bytes; ++i) out.push_back(static_cast<uint8_t>(i * 7));
  return out;
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

TEST(IdxFile, ReadsPlainAndGzipAndChecksTheHeader) {
  const auto dir = test::scratch_dir("idx");
  const std::string plain = (dir / "a.idx").string(), gz = (dir / "a.idx.gz").string();
  write_file_bytes(plain, idx_bytes(0x08, {2, 3, 5}, 30));
  write_gz(gz, idx_bytes(0x08, {2, 3, 5}, 30));
  for (const std::string& path : {plain, gz}) {
    const IdxArray a = read_idx(path);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3, 5})) << path;
    ASSERT_EQ(a.data.size(), 30u);
    EXPECT_EQ(a.data[29], static_cast<uint8_t>(29 * 7));
  }
  const std::string short_file = (dir / "short.gz").string();
  write_gz(short_file, idx_bytes(0x08, {2, 3, 5}, 29));
  expect_error([&] { read_idx(short_file); }, {short_file, "truncated", "promises 30", "holds 29"});
  const std::string long_file = (dir / "long.gz").string();
  write_gz(long_file, idx_bytes(0x08, {2, 3, 5}, 31));
  expect_error([&] { read_idx(long_file); }, {long_file, "more data than the header's 30"});
  const std::string floats = (dir / "floats.idx").string();
  write_file_bytes(floats, idx_bytes(0x0D, {4}, 16));
  expect_error([&] { read_idx(floats); }, {floats, "element type 0xd is not supported"});
  const std::string png = (dir / "not_idx.idx").string();
  write_file_bytes(png, {0x89, 'P', 'N', 'G', 0, 0, 0, 0});
  expect_error([&] { read_idx(png); }, {png, "not an IDX file"});
  const std::string empty = (dir / "empty.idx").string();
  write_file_bytes(empty, {});
  expect_error([&] { read_idx(empty); }, {empty, "shorter than its 4-byte header"});
}

TEST(IdxDataset, LabelsMustMatchImagesAndClasses) {
  const auto dir = test::scratch_dir("idx_ds");
  const std::string images = (dir / "images.idx").string(), labels = (dir / "labels.idx").string();
  write_file_bytes(images, idx_bytes(0x08, {3, 2, 2}, 12));
  write_file_bytes(labels, {0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2});
  const auto ds = IdxDataset::open(images, labels, {"a", "b", "c"});
  EXPECT_EQ(ds->size(), 3u);
  EXPECT_EQ(ds->label(2), 2);
  const Image img = ds->load(1);  // grey bytes 4..7 of the data, each replicated to R, G, B
  ASSERT_EQ(img.pixels.size(), 12u);
  EXPECT_EQ(img.pixels[0], 4 * 7);
  EXPECT_EQ(img.pixels[1], 4 * 7);
  EXPECT_EQ(img.pixels[11], 7 * 7);
  expect_error([&] { IdxDataset::open(images, labels, {"a", "b"}); }, {labels, "label 2", "only 2 classes"});
  write_file_bytes(labels, {0, 0, 8, 1, 0, 0, 0, 2, 0, 1});
  expect_error([&] { IdxDataset::open(images, labels, {"a", "b"}); }, {"hold 3 images", "hold 2"});
}

TEST(FashionMnist, HeadersLabelsAndClassNames) {
  if (!std::filesystem::exists(kFashionMnist))
    GTEST_SKIP() << kFashionMnist << " missing (apt: dataset-fashion-mnist)";
  for (const bool train : {true, false}) {
    const auto ds = fashion_mnist(kFashionMnist, train);
    const size_t n = train ? 60000 : 10000;
    ASSERT_EQ(ds->size(), n);
    EXPECT_EQ(ds->height(), 28);
    EXPECT_EQ(ds->width(), 28);
    std::vector<size_t> counts(10, 0);
    for (size_t i = 0; i < ds->size(); ++i) ++counts[static_cast<size_t>(ds->label(i))];
    EXPECT_EQ(counts, std::vector<size_t>(10, n / 10)) << "Fashion-MNIST is balanced";
    // The first samples (read independently with Python's gzip): train 9 0 0 3, test 9 2 1 1.
    EXPECT_EQ(ds->label(0), 9);
    EXPECT_EQ(ds->label(3), train ? 3 : 1);
    EXPECT_EQ(ds->classes()[9], "Ankle boot");
    EXPECT_EQ(ds->classes()[0], "T-shirt/top");
  }
  const Image first = fashion_mnist(kFashionMnist, false)->load(0);
  ASSERT_EQ(first.height, 28);
  int nonzero = 0;
  for (size_t p = 0; p < 28 * 28; ++p) {
    EXPECT_EQ(first.pixels[3 * p], first.pixels[3 * p + 1]);
    EXPECT_EQ(first.pixels[3 * p], first.pixels[3 * p + 2]);
    nonzero += first.pixels[3 * p] != 0;
  }
  EXPECT_GT(nonzero, 100) << "an ankle boot, not a blank image";
}

}  // namespace
}  // namespace tl
