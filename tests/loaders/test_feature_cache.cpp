// The feature cache: reused when every input is the same, invalidated by any change, and a
// damaged cache file is a clear error.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "loaders/atomic_write.h"
#include "loaders/feature_cache.h"
#include "loaders/hdf5_file.h"
#include "loaders/image_list.h"
#include "tests/common/random.h"

namespace tl {
namespace {

namespace fs = std::filesystem;

class FeatureCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("tl_test_cache_" + std::to_string(getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    weights = write("weights.h5", "backbone bytes v1");
    for (int i = 0; i < 4; ++i)
      paths.push_back(write("img" + std::to_string(i) + ".jpg", "pixels " + std::to_string(i)));
    labels = {0, 1, 1, 0};
    cache = (dir / "features.h5").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string& name, const std::string& bytes) {
    const std::string p = (dir / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string fingerprint(ListingCheck check = ListingCheck::metadata) const {
    return dataset_fingerprint(*ImageList::create(paths, labels, classes), check);
  }
  FeatureCacheKey key() const {
    FeatureCacheKey k;
    k.backbone = BackboneIdentity::of_weights_file(weights, "resnet18");
    k.preprocessing = Preprocessing::from_preset("torchvision");
    k.image_size = 224;
    k.transform = "resize 256, center crop 224";
    k.dataset = fingerprint();
    return k;
  }
  FeatureSet compute() {
    ++computed;
    FeatureSet s;
    const int64_t n = static_cast<int64_t>(paths.size());
    s.features = Tensor::from_vector(
        test::random_floats(static_cast<size_t>(n * 3), static_cast<uint32_t>(computed)), {n, 3});
    s.labels = Tensor::from_vector(labels, {n});
    s.names = paths;
    s.class_names = classes;
    return s;
  }
  bool reused_with(const FeatureCacheKey& k) {
    bool reused = false;
    cached_features(
        cache, k, [&] { return compute(); }, &reused);
    return reused;
  }

  fs::path dir;
  std::string weights, cache;
  std::vector<std::string> paths;
  std::vector<int32_t> labels;
  std::vector<std::string> classes = {"a", "b"};
  int computed = 0;
};

TEST_F(FeatureCacheTest, ReusedWhenNothingChanged) {
  bool reused = true;
  const FeatureSet first = cached_features(
      cache, key(), [&] { return compute(); }, &reused);
  EXPECT_FALSE(reused);
  const FeatureSet second = cached_features(
      cache, key(), [&] { return compute(); }, &reused);
  EXPECT_TRUE(reused);
  EXPECT_EQ(computed, 1) << "the backbone ran once";
  EXPECT_EQ(second.features.to_vector<float>(), first.features.to_vector<float>());
  EXPECT_EQ(second.labels.to_vector<int32_t>(), labels);
  EXPECT_EQ(second.names, paths);
  EXPECT_EQ(second.class_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(fs::exists(atomic_temp_path(cache))) << "no temporary file left behind";
}

TEST_F(FeatureCacheTest, EveryKeyFieldInvalidates) {
  ASSERT_FALSE(reused_with(key()));
  auto k = key();
  k.preprocessing = Preprocessing::from_preset("caffe");
  EXPECT_FALSE(reused_with(k));
  EXPECT_FALSE(reused_with(key())) << "the cache was overwritten by the caffe run";
  k = key();
  k.image_size = 160;
  EXPECT_FALSE(reused_with(k));
  ASSERT_FALSE(reused_with(key()));
  k = key();
  k.transform = "resize 224";
  EXPECT_FALSE(reused_with(k));
  ASSERT_FALSE(reused_with(key()));
  k = key();
  k.backbone.architecture = "resnet34";
  EXPECT_FALSE(reused_with(k));
  ASSERT_FALSE(reused_with(key()));
  EXPECT_TRUE(reused_with(key()));
}

TEST_F(FeatureCacheTest, ChangedWeightsOrDatasetInvalidates) {
  ASSERT_FALSE(reused_with(key()));
  write("weights.h5", "backbone bytes v2");  // same size, new contents: new hash
  std::string why;
  EXPECT_FALSE(load_feature_cache(cache, key(), &why).has_value());
  EXPECT_NE(why.find("key.backbone differs"), std::string::npos) << why;
  ASSERT_FALSE(reused_with(key()));

  write("img2.jpg", "pixels 2 edited");  // size (and mtime) change
  EXPECT_FALSE(load_feature_cache(cache, key(), &why).has_value());
  EXPECT_NE(why.find("key.dataset differs"), std::string::npos) << why;
  ASSERT_FALSE(reused_with(key()));

  labels[3] = 1;  // relabelled
  EXPECT_FALSE(reused_with(key()));
  const std::string four = key().dataset;
  paths.pop_back(), labels.pop_back();  // a file removed from the listing
  EXPECT_NE(fingerprint(), four);
  EXPECT_FALSE(reused_with(key()));
  classes[1] = "B";  // a class renamed
  EXPECT_FALSE(reused_with(key()));
}

TEST_F(FeatureCacheTest, IdxSamplesAreFingerprintedByTheirFile) {
  // An IDX dataset names its samples "<images file>[i]": the file itself is fingerprinted.
  struct Idx : ImageDataset {
    std::string file;
    std::vector<std::string> cls = {"x"};
    size_t size() const override { return 3; }
    int32_t label(size_t) const override { return 0; }
    std::string name(size_t i) const override { return file + "[" + std::to_string(i) + "]"; }
    Image load(size_t) const override { return {}; }
    const std::vector<std::string>& classes() const override { return cls; }
  } idx;
  idx.file = write("images.idx", "idx bytes");
  const std::string before = dataset_fingerprint(idx);
  write("images.idx", "idx bytes, more");
  EXPECT_NE(dataset_fingerprint(idx), before);
  idx.file = (dir / "missing.idx").string();
  EXPECT_THROW(dataset_fingerprint(idx), Error);
}

TEST_F(FeatureCacheTest, ContentsCheckSeesEditsThatKeepSizeAndTime) {
  const auto time = fs::last_write_time(paths[1]);
  const std::string by_meta = fingerprint(ListingCheck::metadata);
  const std::string by_contents = fingerprint(ListingCheck::contents);
  write("img1.jpg", "pixels 9");  // same size
  fs::last_write_time(paths[1], time);
  EXPECT_EQ(fingerprint(ListingCheck::metadata), by_meta) << "metadata cannot see it";
  EXPECT_NE(fingerprint(ListingCheck::contents), by_contents);
  fs::remove(paths[0]);
  EXPECT_THROW(fingerprint(), Error);
}

TEST_F(FeatureCacheTest, AugmentedViewsAreViewMajor) {
  FeatureSet s = compute();
  s.views = 3;
  s.features = Tensor::from_vector(test::random_floats(3 * 4 * 3, 5), {12, 3});
  auto k = key();
  k.views = 3;
  save_feature_cache(cache, k, s);
  const auto loaded = load_feature_cache(cache, k);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->view(2).to_vector<float>(), s.features.slice(8, 12).to_vector<float>());
  EXPECT_FALSE(load_feature_cache(cache, key()).has_value()) << "1 view asked, 3 cached";
  EXPECT_THROW(loaded->view(3), Error);
}

TEST_F(FeatureCacheTest, DamagedCacheIsAClearError) {
  ASSERT_FALSE(reused_with(key()));
  const hid_t file = H5Fopen(cache.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  H5Ldelete(file, "features", H5P_DEFAULT);
  H5Fclose(file);
  try {
    load_feature_cache(cache, key());
    FAIL() << "expected tl::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("features"), std::string::npos) << e.what();
  }
  write("features.h5", "garbage");
  EXPECT_THROW(load_feature_cache(cache, key()), Error);
  Hdf5File::create(cache).write_number_attribute("/", "x", 1);
  EXPECT_THROW(load_feature_cache(cache, key()), Error);
}

}  // namespace
}  // namespace tl
