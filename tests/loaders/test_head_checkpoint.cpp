// Head checkpoints: round trip (same predictions), backbone mismatch, damaged files.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/predict.h"
#include "loaders/file_hash.h"
#include "loaders/hdf5_file.h"
#include "loaders/head_checkpoint.h"
#include "tests/common/random.h"

namespace tl {
namespace {

// Unique per process and test, so that parallel ctest runs do not share files.
std::string temp_path(const std::string& name) {
  const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  return (std::filesystem::temp_directory_path() /
          ("tl_test_" + std::to_string(getpid()) + "_" + test + "_" + name))
      .string();
}

// Throws and the message contains every one of `parts`.
template <typename Fn>
void expect_error(Fn&& fn, std::initializer_list<const char*> parts) {
  try {
    fn();
    ADD_FAILURE() << "expected tl::Error";
  } catch (const Error& e) {
    for (const char* part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

std::string write_file(const std::string& name, const std::string& bytes) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

class HeadCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    weights_a = write_file("backbone_a.bin", "pretend weights A");
    weights_b = write_file("backbone_b.bin", "pretend weights B");
    path = temp_path("head.h5");
  }
  void TearDown() override {
    for (const auto& p : {weights_a, weights_b, path}) std::filesystem::remove(p);
  }
  // Saves a trained-looking MLP head (parameters perturbed away from the seeded init).
  Head save_mlp() {
    Head head(HeadConfig{HeadKind::mlp, 6, 5, 3, 0.25f, 11});
    for (Parameter& p : head.parameters()) {
      const auto noise = test::random_floats(static_cast<size_t>(p.value.numel()), 3);
      p.value.copy_from(Tensor::from_vector(noise, p.value.shape()));
    }
    const float mean[3] = {0.5f, 0.4f, 0.3f}, std_dev[3] = {0.2f, 0.25f, 0.3f};
    save_head_checkpoint(path, head, {"cat", "dog", "owl"},
                         BackboneIdentity::of_weights_file(weights_a, "resnet18"),
                         Preprocessing::custom(mean, std_dev));
    return head;
  }
  // Deletes one object of the saved file with the HDF5 C API.
  void delete_object(const char* name) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    EXPECT_GE(H5Ldelete(file, name, H5P_DEFAULT), 0);
    H5Fclose(file);
  }
  std::string weights_a, weights_b, path;
};

TEST_F(HeadCheckpointTest, RoundTripGivesTheSamePredictions) {
  Head head = save_mlp();
  const HeadCheckpoint ck = load_head_checkpoint(path);
  EXPECT_EQ(ck.config.kind, HeadKind::mlp);
  EXPECT_EQ(ck.config.hidden, 5);
  EXPECT_FLOAT_EQ(ck.config.dropout, 0.25f);
  EXPECT_EQ(ck.class_names, (std::vector<std::string>{"cat", "dog", "owl"}));
  EXPECT_EQ(ck.backbone.architecture, "resnet18");
  EXPECT_EQ(ck.backbone.weights_hash, file_content_hash(weights_a));
  EXPECT_EQ(ck.preprocessing.preset, "custom");
  EXPECT_FLOAT_EQ(ck.preprocessing.params.std[1], 0.25f);
  EXPECT_TRUE(ck.preprocessing ==
              Preprocessing::custom(ck.preprocessing.params.mean, ck.preprocessing.params.std));

  auto loaded = ck.make_head();
  const Tensor features = Tensor::from_vector(test::random_floats(4 * 6, 8, -3, 3), {4, 6});
  EXPECT_EQ(loaded->forward(features, false).to_vector<float>(),
            head.forward(features, false).to_vector<float>());
  const auto a = predict_top_k(*loaded, features, 2), b = predict_top_k(head, features, 2);
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < 2; ++j) {
      EXPECT_EQ(a[i][j].class_index, b[i][j].class_index);
      EXPECT_EQ(a[i][j].probability, b[i][j].probability);
    }
  ck.require_backbone(BackboneIdentity::of_weights_file(weights_a, "resnet18"));  // no throw
}

TEST_F(HeadCheckpointTest, LinearHeadRoundTrip) {
  Head head(HeadConfig{HeadKind::linear, 5, 0, 2, 0.0f, 4});
  save_head_checkpoint(path, head, {"no", "yes"}, BackboneIdentity::of_weights_file(weights_a, "resnet50"),
                       Preprocessing::from_preset("caffe"));
  const HeadCheckpoint ck = load_head_checkpoint(path);
  EXPECT_EQ(ck.config.kind, HeadKind::linear);
  EXPECT_TRUE(ck.preprocessing == Preprocessing::from_preset("caffe"));
  const Tensor features = Tensor::from_vector(test::random_floats(3 * 5, 2), {3, 5});
  EXPECT_EQ(ck.make_head()->forward(features, false).to_vector<float>(),
            head.forward(features, false).to_vector<float>());
}

// The backbone features a head reads: recorded, read back; a file from before the attribute
// existed reads as layer4; a damaged value is an error naming it.
TEST_F(HeadCheckpointTest, PooledStagesRoundTripAndDefaultToLayer4) {
  Head head(HeadConfig{HeadKind::linear, 5, 0, 2, 0.0f, 4});
  const BackboneIdentity backbone = BackboneIdentity::of_weights_file(weights_a, "resnet18");
  save_head_checkpoint(path, head, {"no", "yes"}, backbone, Preprocessing::from_preset("torchvision"), {2, 4});
  EXPECT_EQ(load_head_checkpoint(path).pooled_stages, (std::vector<int>{2, 4}));
  {  // as written before the attribute existed
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    EXPECT_GE(H5Adelete(file, "backbone_features"), 0);
    H5Fclose(file);
  }
  EXPECT_EQ(load_head_checkpoint(path).pooled_stages, (std::vector<int>{4}));
  Hdf5File::open_write(path).write_string_attribute("/", "backbone_features", "layer9");
  expect_error([&] { load_head_checkpoint(path); }, {"head.h5", "backbone_features", "layer9"});
}

TEST_F(HeadCheckpointTest, DifferentBackboneIsAClearError) {
  save_mlp();
  const HeadCheckpoint ck = load_head_checkpoint(path);
  expect_error([&] { ck.require_backbone(BackboneIdentity::of_weights_file(weights_b, "resnet18")); },
               {"trained on backbone resnet18", "backbone_a.bin", "backbone_b.bin"});
  expect_error([&] { ck.require_backbone(BackboneIdentity::of_weights_file(weights_a, "resnet50")); },
               {"resnet50"});
}

TEST_F(HeadCheckpointTest, DamagedFilesAreClearErrors) {
  save_mlp();
  delete_object("head/3.bias");
  expect_error([&] { load_head_checkpoint(path); }, {"head.h5", "head/3.bias", "missing"});

  save_mlp();
  delete_object("class_names");
  expect_error([&] { load_head_checkpoint(path); }, {"class_names"});

  save_mlp();
  {  // replace 0.weight (5, 6) by a (6, 5) dataset
    delete_object("head/0.weight");
    Hdf5File f = Hdf5File::open_read(path);  // to make sure the file is still readable
  }
  {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hsize_t dims[2] = {6, 5};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t ds =
        H5Dcreate2(file, "head/0.weight", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<float> zeros(30, 0.0f);
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
    H5Dclose(ds), H5Sclose(space), H5Fclose(file);
  }
  expect_error([&] { load_head_checkpoint(path); }, {"head/0.weight", "(6, 5)", "expected (5, 6)"});

  expect_error([&] { load_head_checkpoint(write_file("head.h5", "not hdf5 at all")); }, {"head.h5"});
  std::filesystem::remove(path);
  expect_error([&] { load_head_checkpoint(path); }, {"head.h5"});

  Hdf5File::create(path).write_number_attribute("/", "x", 1);  // HDF5, but not a checkpoint
  expect_error([&] { load_head_checkpoint(path); }, {"not a tl head checkpoint"});
}

TEST_F(HeadCheckpointTest, ClassNamesMustMatchTheHead) {
  Head head(HeadConfig{HeadKind::linear, 4, 0, 2, 0.0f, 1});
  expect_error(
      [&] {
        save_head_checkpoint(path, head, {"only one"},
                             BackboneIdentity::of_weights_file(weights_a, "resnet18"), {});
      },
      {"1 class names", "2 classes"});
}

}  // namespace
}  // namespace tl
