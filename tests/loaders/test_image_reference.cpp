// The image pipeline against PIL and torchvision (fixtures of tools/gen_image_fixtures.py):
// decoding, resize, crops, the eval transform, resized crops and normalization.
#include <gtest/gtest.h>

#include "engine/ops_normalize.h"
#include "engine/preprocessing.h"
#include "loaders/crop.h"
#include "loaders/image_decode.h"
#include "loaders/image_transform.h"
#include "loaders/resize.h"
#include "tests/common/tolerance.h"
#include "tests/loaders/image_test_util.h"

namespace tl {
namespace {

using test::all_close;
using test::image_fixture;
using test::image_reference;
using test::reference_image;
using test::Tolerance;

// Lossless formats decode exactly; the resize is PIL's own fixed-point algorithm with
// Pillow 13's pass order (loaders/resize.h), so it matches bit for bit as well.
const Tolerance kExact{0, 0};

const char* const kLossless[] = {"rgb_97x61.png",   "gray_45x71.png", "palette_53x37.png", "rgba_39x57.png",
                                 "rgb16_31x23.png", "wide_300x8.png", "rgb_35x29.bmp"};

::testing::AssertionResult same_image(const Image& actual, const Image& expected, Tolerance tol = kExact) {
  if (actual.height != expected.height || actual.width != expected.width)
    return ::testing::AssertionFailure() << "size " << actual.height << "x" << actual.width << ", expected "
                                         << expected.height << "x" << expected.width;
  return all_close(actual.pixels, expected.pixels, tol);
}

TEST(ImageReference, LosslessFilesDecodeLikePil) {
  // Covers 8-bit RGB, grayscale (replicated), palette with a transparent entry (looked up,
  // transparency ignored), RGBA (alpha dropped), 16-bit RGB (high byte) and a 24-bit BMP
  // with padded rows, all against PIL's Image.open(f).convert("RGB").
  for (const char* file : kLossless)
    EXPECT_TRUE(same_image(read_image(image_fixture(file)), reference_image(std::string("decoded/") + file)))
        << file;
}

TEST(ImageReference, JpegsDecodeCloseToPil) {
  // PIL uses libjpeg-turbo, we use stb_image: both are correct baseline/progressive decoders,
  // but their inverse DCTs and chroma upsampling (4:2:0 here, PIL's default) round
  // differently, so pixels differ by a few levels. Measured on these files: 6.5% of the
  // values differ, by at most 3, mean absolute difference 0.08. The bounds (4, mean 0.25)
  // still catch any real decoding error (wrong colours, shifted blocks, a progressive scan
  // missing), which moves pixels by tens of levels.
  for (const char* file : {"baseline_83x67.jpg", "progressive_83x67.jpg"}) {
    const Image ours = read_image(image_fixture(file));
    const Image pil = reference_image(std::string("decoded/") + file);
    EXPECT_TRUE(same_image(ours, pil, Tolerance{4, 0})) << file;
    double total = 0;
    for (size_t i = 0; i < ours.pixels.size(); ++i)
      total += std::abs(int{ours.pixels[i]} - int{pil.pixels[i]});
    EXPECT_LT(total / ours.pixels.size(), 0.25) << file << ": mean absolute difference";
  }
}

// Runs `check(file, dataset leaf name)` for every dataset under group/<file>.
template <typename Fn>
void for_each_case(const std::string& group, Fn check) {
  for (const char* file : kLossless) {
    const std::string where = group + "/" + file;
    if (!image_reference().exists(where)) continue;
    for (const std::string& leaf : image_reference().children(where))
      check(std::string(file), leaf, where + "/" + leaf);
  }
}

TEST(ImageReference, ResizeMatchesTorchvisionBitForBit) {
  int cases = 0;
  for_each_case("resize", [&](const std::string& file, const std::string& leaf, const std::string& dataset) {
    const int h = std::stoi(leaf), w = std::stoi(leaf.substr(leaf.find('x') + 1));
    EXPECT_TRUE(same_image(resize_bilinear(read_image(image_fixture(file)), h, w), reference_image(dataset)))
        << dataset;
    ++cases;
  });
  EXPECT_EQ(cases, 7 * 8);
}

TEST(ImageReference, ResizeShorterSideMatchesTorchvision) {
  int cases = 0;
  for_each_case(
      "resize_short", [&](const std::string& file, const std::string& leaf, const std::string& dataset) {
        EXPECT_TRUE(same_image(resize_shorter_side(read_image(image_fixture(file)), std::stoi(leaf)),
                               reference_image(dataset)))
            << dataset;
        ++cases;
      });
  EXPECT_EQ(cases, 6 * 3 + 2);
}

TEST(ImageReference, CenterCropMatchesTorchvisionIncludingPadding) {
  // The cases include odd margins (Python's round half to even decides the offset) and
  // crops larger than the image (torchvision pads with zeros).
  int cases = 0;
  for_each_case(
      "center_crop", [&](const std::string& file, const std::string& leaf, const std::string& dataset) {
        const int h = std::stoi(leaf), w = std::stoi(leaf.substr(leaf.find('x') + 1));
        EXPECT_TRUE(same_image(center_crop(read_image(image_fixture(file)), h, w), reference_image(dataset)))
            << dataset;
        ++cases;
      });
  EXPECT_EQ(cases, 7 * 5);
}

TEST(ImageReference, EvalTransformMatchesTorchvision) {
  int cases = 0;
  for_each_case("eval", [&](const std::string& file, const std::string& leaf, const std::string& dataset) {
    const int resize = std::stoi(leaf), crop = std::stoi(leaf.substr(leaf.find('_') + 1));
    const ImageTransform t = eval_transform(resize, crop);
    EXPECT_TRUE(same_image(t.apply(read_image(image_fixture(file)), 0), reference_image(dataset))) << dataset;
    ++cases;
  });
  EXPECT_EQ(cases, 7 * 2 + 1);
}

TEST(ImageReference, ResizedCropMatchesTorchvision) {
  for (const char* file : kLossless) {
    const std::string dataset = std::string("resized_crop/") + file;
    auto box_value = [&](const char* key) {
      return static_cast<int>(image_reference().read_number_attribute(dataset, key));
    };
    const CropBox box{box_value("top"), box_value("left"), box_value("height"), box_value("width")};
    EXPECT_TRUE(
        same_image(resized_crop(read_image(image_fixture(file)), box, 19, 23), reference_image(dataset)))
        << dataset;
  }
}

TEST(ImageReference, RandomResizedCropFallbackMatchesTorchvision) {
  // On a 300x8 image no attempt can succeed (even 8% of the area needs a height of at least
  // sqrt(192 / (4/3)) = 12 > 8), so torchvision always takes the deterministic fallback: the
  // full height, width round(8 * 4/3) = 11, centred. The random numbers then do not matter.
  const ImageTransform t = train_transform(RandomResizedCropOptions{16}, /*horizontal_flip=*/false);
  const Image wide = read_image(image_fixture("wide_300x8.png"));
  for (uint64_t seed : {0u, 1u, 99u})
    EXPECT_TRUE(same_image(t.apply(wide, seed), reference_image("random_resized_crop_fallback"))) << seed;
}

// The eval crop of rgb_97x61.png normalized by the op, against torchvision's ToTensor +
// Normalize and Keras' caffe/tf modes. Float32 with a different operation order (we multiply
// by the rounded 1/255, torchvision divides by 255): within one or two float32 ulps of
// values of magnitude <= ~2.7 before the subtraction of Keras' 123.68-sized means, so atol
// 1e-6 (torchvision, tf, custom) and 1e-5 relative (caffe's values reach ~150).
TEST(ImageReference, NormalizeMatchesTorchvisionAndKeras) {
  const Image crop = reference_image("eval/rgb_97x61.png/40_32");
  const Tensor batch = Tensor::from_host(crop.pixels.data(), {1, crop.height, crop.width, 3}, DType::u8);
  const float custom_mean[3] = {0.5f, 0.4f, 0.3f}, custom_std[3] = {0.2f, 0.25f, 0.3f};
  const std::pair<const char*, Preprocessing> presets[] = {
      {"torchvision", Preprocessing::from_preset("torchvision")},
      {"caffe", Preprocessing::from_preset("caffe")},
      {"tf", Preprocessing::from_preset("tf")},
      {"custom", Preprocessing::custom(custom_mean, custom_std)}};
  for (const auto& [name, preprocessing] : presets) {
    const std::vector<float> expected = image_reference().read_f32(std::string("normalize/") + name);
    EXPECT_TRUE(
        all_close(normalize(batch, preprocessing.params).to_vector<float>(), expected, Tolerance{1e-6, 1e-6}))
        << name;
  }
}

}  // namespace
}  // namespace tl
