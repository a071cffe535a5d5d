// The whole transfer-learning chain on a small synthetic ImageFolder: frozen random-weight
// ResNet -> cached features -> linear head trained with SGD -> checkpoint -> predictions on
// image files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "engine/resnet_builder.h"
#include "engine/trainer.h"
#include "loaders/feature_extraction.h"
#include "loaders/image_encode.h"
#include "loaders/image_folder.h"
#include "loaders/image_prediction.h"
#include "loaders/seeded_rng.h"

namespace tl {
namespace {

namespace fs = std::filesystem;

// root/<class>/<i>.png: a class colour (red, green, blue dominant) with pixel noise (±40).
void write_folder(const fs::path& root, int per_class, uint64_t seed) {
  const char* classes[] = {"blue", "green", "red"};  // sorted, as ImageFolder orders them
  const int dominant[] = {2, 1, 0};
  SeededRng rng(seed);
  for (int c = 0; c < 3; ++c) {
    fs::create_directories(root / classes[c]);
    for (int i = 0; i < per_class; ++i) {
      Image image = Image::zeros(40, 36);
      for (size_t p = 0; p < image.pixels.size(); ++p) {
        const int base = static_cast<int>(p % 3) == dominant[c] ? 150 : 90;
        image.pixels[p] =
            static_cast<uint8_t>(std::clamp(base + static_cast<int>(rng.integer(-40, 40)), 0, 255));
      }
      write_file_bytes((root / classes[c] / (std::to_string(i) + ".png")).string(), encode_png(image));
    }
  }
}

TEST(TransferPipeline, FolderToCachedFeaturesToTrainedHeadToPredictions) {
  const fs::path dir = fs::temp_directory_path() / ("tl_test_transfer_" + std::to_string(getpid()));
  fs::remove_all(dir);
  write_folder(dir / "train", 12, 1);
  write_folder(dir / "val", 4, 2);
  const std::string weights = (dir / "weights.bin").string();
  write_file_bytes(weights, {9, 9, 9});

  ResNet net = build_resnet(ResNetSpec::standard(18, 4, 0));
  init_random(net, 7);
  const BackboneIdentity backbone = BackboneIdentity::of_weights_file(weights, "resnet18-w4");
  const ImageTransform transform = eval_transform(36, 32);
  auto features_of = [&](const std::string& split, bool* reused) {
    const auto folder = ImageFolder::scan((dir / split).string());
    const std::string cache = (dir / (split + "_features.h5")).string();
    const FeatureSet set = cached_features(
        cache, feature_cache_key(net, backbone, *folder, transform, {}),
        [&] { return extract_features(net, folder, transform); }, reused);
    return set;
  };
  bool reused = true;
  const FeatureSet train_set = features_of("train", &reused);
  EXPECT_FALSE(reused);
  const FeatureSet val_set = features_of("val", &reused);
  features_of("train", &reused);
  EXPECT_TRUE(reused) << "second run reads the cache";
  EXPECT_EQ(train_set.class_names, (std::vector<std::string>{"blue", "green", "red"}));

  Head head(HeadConfig{HeadKind::linear, net.feature_dim, 0, 3, 0.0f, 1});
  TrainConfig config;
  config.epochs = 30, config.batch_size = 8, config.seed = 3;
  config.optimizer = OptimizerConfig::adamw(0.05f, 0.0f);
  const LabeledFeatures train{train_set.features, train_set.labels}, val{val_set.features, val_set.labels};
  const TrainResult result = train_head(head, train, &val, config);
  EXPECT_DOUBLE_EQ(result.epochs.back().train.top1, 1.0) << "the head fits the training set";
  EXPECT_GE(result.best_score, 0.9) << "colour classes are separable through the frozen features";
  EXPECT_DOUBLE_EQ(evaluate_head(head, val, {}).top1, result.best_score) << "the best epoch is kept";

  const std::string checkpoint = (dir / "head.h5").string();
  save_head_checkpoint(checkpoint, head, train_set.class_names, backbone, net.preprocessing);
  const auto predictions =
      predict_images(net, backbone, load_head_checkpoint(checkpoint), val_set.names, transform, 1);
  int correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i)
    correct += predictions[i].top[0].class_index == val_set.labels.to_vector<int32_t>()[i];
  EXPECT_DOUBLE_EQ(static_cast<double>(correct) / static_cast<double>(predictions.size()),
                   evaluate_head(head, val, {}).top1)
      << "predictions from the checkpoint agree with the trained head";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tl
