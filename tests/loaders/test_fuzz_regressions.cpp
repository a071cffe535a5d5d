// Every input under tests/data/fuzz_regressions/<harness>/ once crashed or misbehaved in a
// loader (found by scripts/fuzz.sh or by hand, tools/gen_fuzz_regressions.py). Each must now
// give a clean tl::Error through the same path its fuzzer drives.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "loaders/head_checkpoint.h"
#include "loaders/idx_file.h"
#include "loaders/image_decode.h"
#include "loaders/image_transform.h"
#include "loaders/weights.h"
#include "tests/common/data_dir.h"
#include "tests/fuzz/fuzz_cache_key.h"

namespace tl {
namespace {

// Runs `load` on every file of the harness' folder; each must throw tl::Error. Returns the count.
int expect_clean_errors(const std::string& harness, const std::function<void(const std::string&)>& load) {
  const std::filesystem::path dir = test::data_path("fuzz_regressions/" + harness);
  int count = 0;
  if (!std::filesystem::is_directory(dir)) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    ++count;
    try {
      load(path);
      ADD_FAILURE() << path << ": loaded without error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos)
          << "the error names the file: " << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << path << ": threw a non-tl exception: " << e.what();
    }
  }
  return count;
}

TEST(FuzzRegressions, WeightsBothLayouts) {
  EXPECT_GE(expect_clean_errors("weights_torchvision", [](const std::string& p) { load_resnet_weights(p); }),
            1);
  EXPECT_GE(expect_clean_errors("weights_keras", [](const std::string& p) { load_resnet_weights(p); }), 1);
}

TEST(FuzzRegressions, HeadCheckpoints) {
  EXPECT_GE(expect_clean_errors("head_checkpoint", [](const std::string& p) { load_head_checkpoint(p); }), 1);
}

TEST(FuzzRegressions, FeatureCaches) {
  EXPECT_GE(expect_clean_errors("feature_cache",
                                [](const std::string& p) { load_feature_cache(p, fuzz::fuzz_cache_key(1)); }),
            1);
}

TEST(FuzzRegressions, ImagesThroughDecodeAndTransforms) {
  const ImageTransform eval = eval_transform(256, 224);
  const ImageTransform train = train_transform();
  EXPECT_GE(expect_clean_errors("image",
                                [&](const std::string& p) {
                                  try {
                                    const Image image = read_image(p);
                                    eval.apply(image, 0);
                                    train.apply(image, 1);
                                  } catch (const Error& e) {
                                    // resize errors name the sizes, not the file: add it here
                                    if (std::string(e.what()).find(p) == std::string::npos)
                                      TL_FAIL("image '" << p << "': " << e.what());
                                    throw;
                                  }
                                }),
            1);
}

TEST(FuzzRegressions, IdxFiles) {
  EXPECT_GE(expect_clean_errors("idx", [](const std::string& p) { read_idx(p); }), 2);
}

}  // namespace
}  // namespace tl
