// BatchLoader: deterministic batches whatever the thread count, seeded shuffles and
// augmentation, skip_bad semantics; RandomResizedCrop's boxes and the flip.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "loaders/batch_loader.h"
#include "loaders/crop.h"
#include "loaders/dataset_split.h"
#include "loaders/idx_dataset.h"
#include "loaders/image_encode.h"
#include "loaders/image_folder.h"
#include "loaders/random_resized_crop.h"
#include "tests/loaders/image_test_util.h"

namespace tl {
namespace {

namespace fs = std::filesystem;
using test::expect_error;

// Distinct, non-uniform images so that any mix-up of samples or crops shows.
Image pattern(int h, int w, int seed) {
  Image img = Image::zeros(h, w);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        img.row(y)[3 * x + c] = static_cast<uint8_t>((x * (seed + 2) + y * 3 + c * 50 + seed * 17) % 256);
  return img;
}

// root/{cat,dog,owl}/<i>.png: 11 images of assorted sizes.
fs::path make_folder(const std::string& name) {
  const fs::path root = test::scratch_dir(name);
  const char* classes[] = {"cat", "dog", "owl"};
  for (int i = 0; i < 11; ++i) {
    const fs::path dir = root / classes[i % 3];
    fs::create_directories(dir);
    write_file_bytes((dir / (std::to_string(i) + ".png")).string(),
                     encode_png(pattern(30 + 3 * i, 50 - 2 * i, i)));
  }
  return root;
}

struct Collected {
  std::vector<std::vector<uint8_t>> images;
  std::vector<int32_t> labels;
  std::vector<std::string> names;
  std::vector<int64_t> batch_sizes;
};

Collected collect(BatchLoader& loader) {
  Collected out;
  while (auto batch = loader.next()) {
    out.images.push_back(batch->images.to_vector<uint8_t>());
    out.labels.insert(out.labels.end(), batch->labels.begin(), batch->labels.end());
    out.names.insert(out.names.end(), batch->names.begin(), batch->names.end());
    out.batch_sizes.push_back(batch->images.dim(0));
  }
  return out;
}

BatchLoaderOptions options(int threads, bool shuffle = false, uint64_t seed = 0) {
  BatchLoaderOptions o;
  o.batch_size = 4;
  o.threads = threads;
  o.prefetch_batches = 2;
  o.shuffle = shuffle;
  o.seed = seed;
  return o;
}

TEST(BatchLoader, SameBatchesWithOneOrTwoThreads) {
  const auto folder = ImageFolder::scan(make_folder("loader_threads").string());
  for (const ImageTransform& t : {eval_transform(24, 20), train_transform(RandomResizedCropOptions{16})}) {
    BatchLoader one(folder, t, options(1, true, 5));
    BatchLoader two(folder, t, options(2, true, 5));
    const Collected a = collect(one), b = collect(two);
    EXPECT_EQ(a.images, b.images) << t.description;
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.names, b.names);
    EXPECT_EQ(a.batch_sizes, (std::vector<int64_t>{4, 4, 3}));
    // More threads than samples in a batch, no prefetch beyond the current batch.
    BatchLoaderOptions o = options(3, true, 5);
    o.prefetch_batches = 1;
    BatchLoader three(folder, t, o);
    EXPECT_EQ(collect(three).images, a.images) << t.description;
  }
}

TEST(BatchLoader, InOrderWithoutShuffleAndLabelsMatchTheFolder) {
  const auto folder = ImageFolder::scan(make_folder("loader_order").string());
  BatchLoader loader(folder, eval_transform(24, 20), options(2));
  auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->images.shape(), Shape({4, 20, 20, 3}));
  EXPECT_EQ(batch->images.dtype(), DType::u8);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(batch->names[i], folder->samples()[i].path);
    EXPECT_EQ(batch->labels[i], folder->samples()[i].label);
  }
  // The first image is exactly the eval transform of the first file.
  const Image expected = eval_transform(24, 20).apply(folder->load(0), 0);
  const auto all = batch->images.to_vector<uint8_t>();
  EXPECT_TRUE(std::equal(expected.pixels.begin(), expected.pixels.end(), all.begin()));
}

TEST(BatchLoader, ShuffleAndAugmentationAreSeededPerEpoch) {
  const auto folder = ImageFolder::scan(make_folder("loader_seed").string());
  const ImageTransform train = train_transform(RandomResizedCropOptions{16});
  BatchLoader a(folder, train, options(2, true, 9), 0), b(folder, train, options(1, true, 9), 0);
  BatchLoader c(folder, train, options(2, true, 9), 1), d(folder, train, options(2, true, 10), 0);
  EXPECT_EQ(a.order(), b.order());
  EXPECT_NE(a.order(), c.order()) << "another epoch, another order";
  EXPECT_NE(a.order(), d.order()) << "another seed, another order";
  std::vector<size_t> sorted = a.order();
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], i) << "a permutation";
  EXPECT_EQ(collect(a).images, collect(b).images);
}

TEST(BatchLoader, BadFileIsAnErrorOrSkippedAndCounted) {
  const fs::path root = make_folder("loader_bad");
  const fs::path bad = root / "dog" / "4b_corrupt.png";
  write_file_bytes(bad.string(), {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0});
  const auto folder = ImageFolder::scan(root.string());
  ASSERT_EQ(folder->size(), 12u);
  {
    BatchLoader loader(folder, eval_transform(24, 20), options(2));
    expect_error(
        [&] {
          while (loader.next()) {
          }
        },
        {bad.string()});
  }
  BatchLoaderOptions skip = options(2);
  skip.skip_bad = true;
  BatchLoader loader(folder, eval_transform(24, 20), skip);
  const Collected got = collect(loader);
  EXPECT_EQ(got.names.size(), 11u);
  EXPECT_EQ(loader.skipped(), 1u);
  ASSERT_EQ(loader.skipped_messages().size(), 1u);
  EXPECT_NE(loader.skipped_messages()[0].find(bad.string()), std::string::npos);
  EXPECT_EQ(std::count(got.names.begin(), got.names.end(), bad.string()), 0);
}

TEST(BatchLoader, RejectsBadOptions) {
  const auto folder = ImageFolder::scan(make_folder("loader_options").string());
  BatchLoaderOptions o = options(0);
  expect_error([&] { BatchLoader(folder, eval_transform(24, 20), o); }, {"threads must be positive"});
  o = options(1);
  o.batch_size = 0;
  expect_error([&] { BatchLoader(folder, eval_transform(24, 20), o); }, {"batch size must be positive"});
  expect_error([&] { eval_transform(200, 224); }, {"Resize(200)", "CenterCrop(224)"});
}

TEST(BatchLoader, FashionMnistBecomesResizedRgbBatches) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir)) GTEST_SKIP() << dir << " missing (apt: dataset-fashion-mnist)";
  const auto first_ten = std::make_shared<DatasetSubset>(fashion_mnist(dir, false),
                                                         std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  BatchLoader loader(first_ten, resize_transform(32, 32), options(2));
  auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->images.shape(), Shape({4, 32, 32, 3}));
  EXPECT_EQ(batch->labels, (std::vector<int32_t>{9, 2, 1, 1}));
  const auto v = batch->images.to_vector<uint8_t>();
  for (size_t p = 0; p < v.size(); p += 3)
    ASSERT_TRUE(v[p] == v[p + 1] && v[p] == v[p + 2]) << "grey replicated";
  EXPECT_EQ(batch->names[0], dir + "/t10k-images-idx3-ubyte.gz[0]");
}

TEST(RandomResizedCrop, BoxesStayInsideWithinScaleAndRatio) {
  const RandomResizedCropOptions o;  // 224, scale 0.08..1, ratio 3/4..4/3
  SeededRng rng(1);
  const int h = 200, w = 300;
  for (int i = 0; i < 2000; ++i) {
    const CropBox b = random_resized_crop_box(h, w, o, rng);
    ASSERT_GE(b.top, 0);
    ASSERT_GE(b.left, 0);
    ASSERT_LE(b.top + b.height, h);
    ASSERT_LE(b.left + b.width, w);
    // w and h are rounded to integers, so area and ratio may leave the range by one pixel.
    const double area = static_cast<double>(b.height) * b.width / (h * w);
    EXPECT_GE(area, 0.08 * (1 - 2.0 / std::min(b.height, b.width)));
    const double ratio = static_cast<double>(b.width) / b.height;
    EXPECT_GE(ratio, 0.75 * (1 - 1.0 / b.height) - 1.0 / b.height);
    EXPECT_LE(ratio, 4.0 / 3.0 * (1 + 1.0 / b.height) + 1.0 / b.height);
  }
  SeededRng r1(77), r2(77);
  for (int i = 0; i < 10; ++i) {
    const CropBox a = random_resized_crop_box(h, w, o, r1), b = random_resized_crop_box(h, w, o, r2);
    EXPECT_EQ(std::tie(a.top, a.left, a.height, a.width), std::tie(b.top, b.left, b.height, b.width));
  }
}

TEST(RandomResizedCrop, FallbackIsTheCentredClampedImage) {
  // No attempt can fit in 8 pixels of height or width (see the reference test); worked by
  // hand from torchvision's fallback: the short side whole, the long one round(8 * 4/3) = 11.
  SeededRng rng(3);
  const CropBox wide = random_resized_crop_box(8, 300, {}, rng);
  EXPECT_EQ(std::tie(wide.top, wide.left, wide.height, wide.width), std::make_tuple(0, 144, 8, 11));
  const CropBox tall = random_resized_crop_box(300, 8, {}, rng);  // round(8 / (3/4)) = 11
  EXPECT_EQ(std::tie(tall.top, tall.left, tall.height, tall.width), std::make_tuple(144, 0, 11, 8));
}

TEST(Crop, FlipMirrorsEachRow) {
  const Image in{1, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
  EXPECT_EQ(flip_horizontal(in).pixels, (std::vector<uint8_t>{7, 8, 9, 4, 5, 6, 1, 2, 3}));
  const Image box = crop(in, 0, -1, 1, 2);  // one column of black padding on the left
  EXPECT_EQ(box.pixels, (std::vector<uint8_t>{0, 0, 0, 1, 2, 3}));
}

}  // namespace
}  // namespace tl
