// Feature extraction over image files with a small random ResNet: the same features as the
// pipeline run by hand, independent of the batch size, view-major augmented views, and the
// cache reused / invalidated around it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "engine/ops_normalize.h"
#include "engine/ops_training.h"
#include "engine/resnet_builder.h"
#include "engine/resnet_forward.h"
#include "loaders/feature_extraction.h"
#include "loaders/image_decode.h"
#include "loaders/image_encode.h"
#include "loaders/image_list.h"
#include "loaders/image_prediction.h"
#include "loaders/seeded_rng.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

ExtractionOptions batch_of_four() {
  ExtractionOptions options;
  options.batch_size = 4;
  return options;
}

namespace fs = std::filesystem;

struct ImageListing {
  std::vector<std::string> paths;
  std::vector<int32_t> labels;
  std::vector<std::string> class_names;
};
using test::all_close;
using test::Tolerance;

class FeatureExtractionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("tl_test_extract_" + std::to_string(getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    SeededRng rng(3);
    for (int i = 0; i < 7; ++i) {  // 7 images of varied sizes, random pixels
      Image image = Image::zeros(40 + 3 * i, 50 - 2 * i);
      for (uint8_t& p : image.pixels) p = static_cast<uint8_t>(rng.next() >> 56);
      const std::string path = (dir / ("img" + std::to_string(i) + ".png")).string();
      write_file_bytes(path, encode_png(image));
      listing.paths.push_back(path);
      listing.labels.push_back(i % 3);
    }
    listing.class_names = {"a", "b", "c"};
    net = build_resnet(ResNetSpec::standard(18, 4, 0));  // ResNet-18 at width 4: features (N, 32)
    init_random(net, 1);
    weights = (dir / "weights.bin").string();
    write_file_bytes(weights, {1, 2, 3});
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path dir;
  ImageListing listing;
  std::shared_ptr<ImageList> dataset() const {
    return ImageList::create(listing.paths, listing.labels, listing.class_names);
  }
  ResNet net;
  std::string weights;
};

TEST_F(FeatureExtractionTest, MatchesThePipelineByHandForAnyBatchSize) {
  const ImageTransform transform = eval_transform(36, 32);
  ExtractionOptions options;
  options.batch_size = 3;  // 7 = 3 + 3 + 1
  const FeatureSet set = extract_features(net, dataset(), transform, options);
  ASSERT_EQ(set.features.shape(), Shape({7, net.feature_dim}));
  EXPECT_EQ(set.labels.to_vector<int32_t>(), listing.labels);
  EXPECT_EQ(set.names, listing.paths);

  ForwardOptions fo;
  fo.logits = false;
  for (int i = 0; i < 7; ++i) {
    const Image image = transform.apply(read_image(listing.paths[i]), 0);
    const Tensor u8 = Tensor::from_vector(image.pixels, {1, 32, 32, 3});
    const Tensor expected = forward(net, normalize(u8, net.preprocessing.params), fo).features;
    // Same float32 operations per image; batching may change GEMM blocking only (rounding).
    EXPECT_TRUE(all_close(set.features.slice(i, i + 1).to_vector<float>(), expected.to_vector<float>(),
                          Tolerance{1e-5, 1e-4}))
        << "image " << i;
  }
  options.batch_size = 7;
  EXPECT_TRUE(all_close(extract_features(net, dataset(), transform, options).features.to_vector<float>(),
                        set.features.to_vector<float>(), Tolerance{1e-5, 1e-4}));
}

// Multi-stage features: the extraction's rows are the forward's pooled stages, and their
// cache key differs from the layer4 key (which is what it always was).
TEST_F(FeatureExtractionTest, PooledStagesReachTheFeaturesAndTheCacheKey) {
  const ImageTransform transform = eval_transform(36, 32);
  ExtractionOptions options;
  options.batch_size = 4;
  options.pooled_stages = {2, 3, 4};
  const FeatureSet set = extract_features(net, dataset(), transform, options);
  ASSERT_EQ(set.features.shape(), Shape({7, pooled_feature_dim(net, {2, 3, 4})}));
  ForwardOptions fo;
  fo.pooled_stages = {2, 3, 4};
  const Image image = transform.apply(read_image(listing.paths[5]), 0);
  const Tensor u8 = Tensor::from_vector(image.pixels, {1, 32, 32, 3});
  EXPECT_TRUE(all_close(set.features.slice(5, 6).to_vector<float>(),
                        forward(net, normalize(u8, net.preprocessing.params), fo).features.to_vector<float>(),
                        Tolerance{1e-5, 1e-4}));
  const BackboneIdentity backbone;
  const auto images = dataset();
  const FeatureCacheKey layer4 = feature_cache_key(net, backbone, *images, transform, {});
  EXPECT_EQ(layer4.transform.find("features"), std::string::npos) << layer4.transform;
  const FeatureCacheKey multi = feature_cache_key(net, backbone, *images, transform, options);
  EXPECT_NE(multi.fields(), layer4.fields());
  EXPECT_NE(multi.transform.find("layer2+layer3+layer4"), std::string::npos) << multi.transform;
}

// skip_bad: a corrupt file is left out (not a failure), the other rows equal a clean run's;
// on_batch sees every delivered image once.
TEST_F(FeatureExtractionTest, SkipBadLeavesOutACorruptImage) {
  const ImageTransform transform = eval_transform(36, 32);
  ExtractionOptions options;
  options.batch_size = 3;
  const FeatureSet clean = extract_features(net, dataset(), transform, options);
  write_file_bytes(listing.paths[4], {'n', 'o', 't', ' ', 'p', 'n', 'g'});
  EXPECT_THROW(extract_features(net, dataset(), transform, options), Error);
  options.skip_bad = true;
  int64_t seen = 0;
  options.on_batch = [&seen](int64_t images) { seen += images; };
  const FeatureSet set = extract_features(net, dataset(), transform, options);
  EXPECT_EQ(seen, 6);
  ASSERT_EQ(set.features.shape(), Shape({6, net.feature_dim}));
  std::vector<std::string> names = listing.paths;
  names.erase(names.begin() + 4);
  EXPECT_EQ(set.names, names);
  std::vector<int32_t> labels = listing.labels;
  labels.erase(labels.begin() + 4);
  EXPECT_EQ(set.labels.to_vector<int32_t>(), labels);
  for (int r = 0; r < 6; ++r) {
    const int source = r < 4 ? r : r + 1;
    EXPECT_TRUE(all_close(set.features.slice(r, r + 1).to_vector<float>(),
                          clean.features.slice(source, source + 1).to_vector<float>(), Tolerance{1e-5, 1e-4}))
        << "row " << r;
  }
  options.views = 2;  // skipping would make views of different sizes
  EXPECT_THROW(extract_features(net, dataset(), transform, options), Error);
}

TEST_F(FeatureExtractionTest, AugmentedViewsDifferAndAreSeeded) {
  RandomResizedCropOptions crop;
  crop.size = 32;
  const ImageTransform transform = train_transform(crop);
  ExtractionOptions options;
  options.views = 2, options.seed = 5;
  const FeatureSet a = extract_features(net, dataset(), transform, options);
  const FeatureSet b = extract_features(net, dataset(), transform, options);
  ASSERT_EQ(a.features.shape(), Shape({14, net.feature_dim}));
  EXPECT_EQ(a.features.to_vector<float>(), b.features.to_vector<float>()) << "same seed, same views";
  EXPECT_NE(a.view(0).to_vector<float>(), a.view(1).to_vector<float>()) << "two different augmentations";
}

TEST_F(FeatureExtractionTest, RecomputeEachEpochEqualsCachedViews) {
  RandomResizedCropOptions crop;
  crop.size = 32;
  const ImageTransform transform = train_transform(crop);
  ExtractionOptions options;
  options.seed = 9;
  const EpochFeatures fresh = recompute_each_epoch(net, dataset(), transform, options);
  options.views = 3;
  const FeatureSet cached = extract_features(net, dataset(), transform, options);
  const EpochFeatures cycled = cycle_views(cached);
  for (int epoch : {0, 1, 2}) {
    const LabeledFeatures a = fresh(epoch), b = cycled(epoch);
    EXPECT_EQ(a.features.to_vector<float>(), b.features.to_vector<float>()) << "epoch " << epoch;
    EXPECT_EQ(a.labels.to_vector<int32_t>(), listing.labels);
  }
  EXPECT_NE(fresh(0).features.to_vector<float>(), fresh(1).features.to_vector<float>()) << "new augmentation";
  EXPECT_EQ(cycled(4).features.to_vector<float>(), cached.view(1).to_vector<float>()) << "4 mod 3";
}

TEST_F(FeatureExtractionTest, CacheSkipsTheBackboneUntilAnInputChanges) {
  const ImageTransform transform = eval_transform(36, 32);
  const BackboneIdentity backbone = BackboneIdentity::of_weights_file(weights, "resnet18-w4");
  const std::string cache = (dir / "cache.h5").string();
  int runs = 0;
  auto run = [&](const ImageListing& l, const ImageTransform& t) {
    bool reused = false;
    const auto images = ImageList::create(l.paths, l.labels, l.class_names);
    const FeatureSet s = cached_features(
        cache, feature_cache_key(net, backbone, *images, t, {}),
        [&] {
          ++runs;
          return extract_features(net, images, t);
        },
        &reused);
    return std::make_pair(reused, s);
  };
  const auto first = run(listing, transform);
  const auto second = run(listing, transform);
  EXPECT_FALSE(first.first);
  EXPECT_TRUE(second.first);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(second.second.features.to_vector<float>(), first.second.features.to_vector<float>());
  EXPECT_FALSE(run(listing, eval_transform(40, 32)).first) << "another transform";
  ImageListing renamed = listing;
  renamed.class_names[1] = "B";
  EXPECT_FALSE(run(renamed, transform).first) << "other class names";
  ASSERT_FALSE(run(listing, transform).first);
  write_file_bytes(listing.paths[4], encode_png(Image::zeros(10, 10)));  // an image replaced
  EXPECT_FALSE(run(listing, transform).first);
  EXPECT_EQ(runs, 5);
}

TEST_F(FeatureExtractionTest, PredictImagesWithACheckpointedHead) {
  const ImageTransform transform = eval_transform(36, 32);
  const BackboneIdentity backbone = BackboneIdentity::of_weights_file(weights, "resnet18-w4");
  Head head(HeadConfig{HeadKind::mlp, net.feature_dim, 8, 3, 0.5f, 7});
  const std::string path = (dir / "head.h5").string();
  save_head_checkpoint(path, head, listing.class_names, backbone, net.preprocessing);
  const HeadCheckpoint ck = load_head_checkpoint(path);

  const auto predictions = predict_images(net, backbone, ck, listing.paths, transform, 2, batch_of_four());
  ASSERT_EQ(predictions.size(), 7u);
  // Reference: the features by the pipeline, then softmax of the original head's logits.
  const Tensor features = extract_features(net, dataset(), transform).features;
  const auto probs = softmax(head.forward(features, false)).to_vector<float>();
  for (size_t i = 0; i < 7; ++i) {
    const auto& p = predictions[i];
    EXPECT_EQ(p.path, listing.paths[i]);
    ASSERT_EQ(p.top.size(), 2u);
    const float* row = &probs[i * 3];
    const int best = static_cast<int>(std::max_element(row, row + 3) - row);
    EXPECT_EQ(p.top[0].class_index, best);
    EXPECT_EQ(p.names[0], listing.class_names[best]);
    EXPECT_NEAR(p.top[0].probability, row[best], 1e-5);
    EXPECT_GE(p.top[0].probability, p.top[1].probability);
  }
  const BackboneIdentity other{"resnet18-w4", "xxh64:0000000000000000", "other.h5"};
  EXPECT_THROW(predict_images(net, other, ck, listing.paths, transform, 2), Error);
  ResNet caffe_net = net;
  caffe_net.preprocessing = Preprocessing::from_preset("caffe");
  EXPECT_THROW(predict_images(caffe_net, backbone, ck, listing.paths, transform, 2), Error);
}

TEST_F(FeatureExtractionTest, BadInputsAreClearErrors) {
  EXPECT_THROW(ImageList::create(listing.paths, {0, 1, 2, 3, 0, 1, 2}, listing.class_names), Error);
  write_file_bytes(listing.paths[5], {'n', 'o', 'p', 'e'});
  try {
    extract_features(net, dataset(), eval_transform(36, 32));
    FAIL() << "expected tl::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("img5.png"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tl
