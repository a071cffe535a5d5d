// Feature extraction with the backbone on the GPU (weights uploaded once by extract_features)
// against the same extraction on the CPU, and the cache key of reduced-precision features.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "engine/cuda_allocator.h"
#include "engine/resnet_builder.h"
#include "loaders/feature_extraction.h"
#include "loaders/image_decode.h"
#include "loaders/image_encode.h"
#include "loaders/image_list.h"
#include "loaders/image_prediction.h"
#include "loaders/seeded_rng.h"
#include "tests/common/gpu.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

namespace fs = std::filesystem;

class CudaFeatureExtraction : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("tl_test_cuda_extract_" + std::to_string(getpid()));
    fs::create_directories(dir);
    SeededRng rng(5);
    for (int i = 0; i < 5; ++i) {
      Image image = Image::zeros(37 + 2 * i, 41 - i);
      for (uint8_t& p : image.pixels) p = static_cast<uint8_t>(rng.next() >> 56);
      const std::string path = (dir / ("img" + std::to_string(i) + ".png")).string();
      write_file_bytes(path, encode_png(image));
      paths.push_back(path);
      labels.push_back(i % 2);
    }
    net = build_resnet(ResNetSpec::standard(18, 8, 0));  // width 8: features (N, 64)
    init_random(net, 2);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::shared_ptr<ImageList> dataset() const { return ImageList::create(paths, labels, {"a", "b"}); }

  fs::path dir;
  std::vector<std::string> paths;
  std::vector<int32_t> labels;
  ResNet net;
};

TEST_F(CudaFeatureExtraction, GpuFeaturesMatchTheCpu) {
  TL_REQUIRE_GPU();
  const ImageTransform transform = eval_transform(36, 32);
  ExtractionOptions options;
  options.batch_size = 2;  // 5 = 2 + 2 + 1
  const std::vector<float> expected = extract_features(net, dataset(), transform, options).features.to_vector<float>();
  float scale = 0;
  for (float v : expected) scale = std::max(scale, std::fabs(v));
  options.device = Device::cuda(0);
  // Errors relative to the largest feature (see tests/engine/test_cuda_resnet.cpp): fp32 1e-4;
  // bf16 rounds every conv's inputs to 7 mantissa bits through 17 convs: 5e-2.
  for (const auto& [precision, factor] : {std::pair{Precision::fp32, 1e-4}, std::pair{Precision::bf16, 5e-2}}) {
    options.precision = precision;
    const FeatureSet set = extract_features(net, dataset(), transform, options);
    EXPECT_EQ(set.features.device(), Device::cpu());
    EXPECT_TRUE(test::all_close(set.features.to_vector<float>(), expected, test::Tolerance{factor * scale, factor}))
        << precision_name(precision);
  }
}

TEST_F(CudaFeatureExtraction, ReducedPrecisionFeaturesHaveTheirOwnCacheKey) {
  const ImageTransform transform = eval_transform(36, 32);
  const BackboneIdentity backbone;
  ExtractionOptions options;
  const FeatureCacheKey cpu_key = feature_cache_key(net, backbone, *dataset(), transform, options);
  options.device = Device::cuda(0);
  EXPECT_EQ(feature_cache_key(net, backbone, *dataset(), transform, options).fields(), cpu_key.fields());  // fp32
  options.precision = Precision::bf16;
  EXPECT_NE(feature_cache_key(net, backbone, *dataset(), transform, options).fields(), cpu_key.fields());
  options.device = Device::cpu();  // the CPU computes in fp32 whatever is asked
  EXPECT_EQ(feature_cache_key(net, backbone, *dataset(), transform, options).fields(), cpu_key.fields());
}

// Device memory is planned by reuse: every batch asks for the same sizes, so once one
// extraction has run, another of the same shape takes every block (activations, upload slots,
// the feature matrix) from the caching allocator and nothing new from the driver.
TEST_F(CudaFeatureExtraction, ASecondExtractionReusesEveryDeviceBlock) {
  TL_REQUIRE_GPU();
  const ImageTransform transform = eval_transform(18, 16);  // small: two extractions on the emulator
  const auto three = ImageList::create({paths.begin(), paths.begin() + 3}, {labels.begin(), labels.begin() + 3},
                                       {"a", "b"});
  ExtractionOptions options;
  options.batch_size = 2;  // 3 = 2 + 1: a full and a short batch
  options.device = Device::cuda(0);
  CudaCachingAllocator& allocator = CudaCachingAllocator::for_device(0);
  const FeatureSet first = extract_features(net, three, transform, options);
  const MemoryStats after_first = allocator.stats();
  allocator.reset_peak();
  const FeatureSet second = extract_features(net, three, transform, options);
  const MemoryStats after_second = allocator.stats();
  EXPECT_EQ(after_second.reserved_bytes, after_first.reserved_bytes);
  EXPECT_LE(after_second.peak_bytes, after_first.reserved_bytes);
  EXPECT_EQ(second.features.to_vector<float>(), first.features.to_vector<float>());
}

}  // namespace
}  // namespace tl
