// Bad weights files: each is a tl::Error naming the file, the dataset and what was expected.
// The bad files are copies of the resnet18_w8 fixture edited through Hdf5File.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "engine/resnet_forward.h"
#include "loaders/weights.h"

namespace tl {
namespace {

const std::string kFixture = std::string(TL_TEST_DATA_DIR) + "/resnet/resnet18_w8.h5";

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tl_test_weights_" + name)).string();
}

// A copy of the fixture, edited by `edit`.
std::string edited_copy(const std::string& name, const std::function<void(Hdf5File&)>& edit) {
  const std::string path = temp_path(name + ".h5");
  std::filesystem::copy_file(kFixture, path, std::filesystem::copy_options::overwrite_existing);
  Hdf5File f = Hdf5File::open_write(path);
  edit(f);
  return path;
}

// Replaces a dataset with `values` of `shape` (float32).
void replace_f32(Hdf5File& f, const std::string& name, const std::vector<float>& values,
                 const std::vector<int64_t>& shape) {
  f.remove(name);
  f.write_f32(name, values.data(), shape);
}

void expect_load_error(const std::string& path, std::initializer_list<std::string> parts) {
  try {
    load_resnet_weights(path);
    ADD_FAILURE() << "no error for " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << "does not name the file: " << message;
    for (const std::string& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
  }
}

TEST(WeightsErrors, MissingFile) { expect_load_error(temp_path("does_not_exist.h5"), {"no such file"}); }

TEST(WeightsErrors, NotAnHdf5File) {
  const std::string path = temp_path("text.h5");
  std::ofstream(path) << "conv1.weight = [1, 2, 3]\n";
  expect_load_error(path, {"not an HDF5 file"});
}

TEST(WeightsErrors, TruncatedFile) {
  const std::string path = temp_path("truncated.h5");
  std::filesystem::copy_file(kFixture, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(path, std::filesystem::file_size(kFixture) / 2);
  expect_load_error(path, {"truncated"});
}

TEST(WeightsErrors, NoKnownLayout) {
  const std::string path = temp_path("unknown_layout.h5");
  {
    Hdf5File f = Hdf5File::create(path);
    const float v[1] = {1};
    f.write_f32("dense/kernel", v, {1});
  }
  expect_load_error(path, {"conv1.weight", "layer_names", "'dense'"});
}

TEST(WeightsErrors, MissingDataset) {
  const std::string path = edited_copy("missing", [](Hdf5File& f) { f.remove("layer2.1.bn2.running_var"); });
  expect_load_error(path, {"'layer2.1.bn2.running_var'", "missing", "expected float32 (16,)", "resnet18"});
}

TEST(WeightsErrors, ExtraDataset) {
  const std::string path = edited_copy("extra", [](Hdf5File& f) {
    const float v[2] = {1, 2};
    f.write_f32("layer2.1.conv3.weight.old", v, {2});
  });
  expect_load_error(path, {"'layer2.1.conv3.weight.old'", "unexpected", "resnet18"});
}

TEST(WeightsErrors, WrongShape) {
  const std::string path = edited_copy("shape", [](Hdf5File& f) {
    replace_f32(f, "layer3.1.conv2.weight", std::vector<float>(32 * 32 * 3 * 2, 0.1f), {32, 32, 3, 2});
  });
  expect_load_error(path, {"'layer3.1.conv2.weight'", "has shape (32, 32, 3, 2)", "expected (32, 32, 3, 3)"});
}

TEST(WeightsErrors, WrongDtype) {
  const std::string path = edited_copy("dtype", [](Hdf5File& f) {
    f.remove("bn1.running_mean");
    const std::vector<int32_t> ints(8, 0);
    f.write_i32("bn1.running_mean", ints.data(), {8});
  });
  expect_load_error(path, {"'bn1.running_mean'", "int32", "expected float32"});
}

TEST(WeightsErrors, NanInWeights) {
  const std::string path = edited_copy("nan", [](Hdf5File& f) {
    std::vector<int64_t> shape;
    std::vector<float> w = f.read_f32("layer4.1.conv2.weight", &shape);
    w[17] = std::numeric_limits<float>::quiet_NaN();
    replace_f32(f, "layer4.1.conv2.weight", w, shape);
  });
  expect_load_error(path, {"'layer4.1.conv2.weight'", "nan", "index 17", "expected finite"});
}

TEST(WeightsErrors, UnsupportedDepth) {
  // Dropping every second block leaves basic blocks {1, 1, 1, 1}: no ResNet has that.
  const std::string path = edited_copy("depth", [](Hdf5File& f) {
    for (const std::string& name : f.children("/"))
      if (name.rfind("layer", 0) == 0 && name.find(".1.") == 6) f.remove(name);
  });
  expect_load_error(path, {"basic blocks per stage {1, 1, 1, 1}", "no known ResNet"});
}

TEST(WeightsErrors, ArchitectureAttributeContradictsTheDatasets) {
  const std::string path =
      edited_copy("arch", [](Hdf5File& f) { f.write_string_attribute("/", "architecture", "resnet34"); });
  expect_load_error(path, {"architecture='resnet34'", "resnet18"});
}

TEST(WeightsErrors, UnknownPreprocessing) {
  const std::string path =
      edited_copy("prep", [](Hdf5File& f) { f.write_string_attribute("/", "preprocessing", "imagenet"); });
  expect_load_error(path, {"preprocessing", "'imagenet'", "expected torchvision, caffe or tf"});
}

TEST(TorchvisionWeights, HeadlessFileHasNoLogits) {
  const std::string path = edited_copy("headless", [](Hdf5File& f) {
    f.remove("fc.weight");
    f.remove("fc.bias");
    f.write_number_attribute("/", "num_classes", 0);
    f.remove_attribute("/", "class_names");
  });
  const ResNet net = load_resnet_weights(path);
  EXPECT_EQ(net.num_classes, 0);
  EXPECT_FALSE(net.fc_weight.defined());
  EXPECT_EQ(net.feature_dim, 64);
  const ForwardResult out = forward(net, Tensor::zeros({1, 40, 40, 3}, DType::f32));
  EXPECT_EQ(out.features.shape(), (Shape{1, 64}));
  EXPECT_FALSE(out.logits.defined());
}

}  // namespace
}  // namespace tl
