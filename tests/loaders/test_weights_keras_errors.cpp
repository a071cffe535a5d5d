// Bad Keras weights files: each is a fixture with one thing broken, and each must be a
// tl::Error that names the file, the layer (or dataset) and what was expected.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>

#include "kernels/common/error.h"
#include "loaders/hdf5_file.h"
#include "loaders/keras_h5.h"
#include "loaders/weights.h"
#include "tests/loaders/keras_fixture_copy.h"

namespace tl {
namespace {

// Expects loading `path` to throw a tl::Error whose message contains the path and every part.
void expect_load_error(const std::string& path, std::initializer_list<std::string> parts) {
  try {
    load_resnet_weights(path);
    ADD_FAILURE() << "no error thrown for " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    for (const std::string& part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << part << " in: " << message;
  }
}

void drop_layer_names(Hdf5File& f, const std::vector<std::string>& drop) {
  std::vector<std::string> names = read_keras_name_list(f, "/", "layer_names");
  names.erase(std::remove_if(
                  names.begin(), names.end(),
                  [&](const std::string& n) { return std::find(drop.begin(), drop.end(), n) != drop.end(); }),
              names.end());
  f.write_string_list_attribute("/", "layer_names", names);
}

void add_layer(Hdf5File& f, const std::string& layer,
               const std::vector<std::pair<std::string, std::vector<int64_t>>>& weights) {
  std::vector<std::string> names = read_keras_name_list(f, "/", "layer_names");
  names.push_back(layer);
  f.write_string_list_attribute("/", "layer_names", names);
  f.create_group(layer);
  std::vector<std::string> weight_names;
  for (const auto& [name, shape] : weights) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    const std::vector<float> values(static_cast<size_t>(n), 0.5f);
    f.write_f32(layer + "/" + name, values.data(), shape);
    weight_names.push_back(name);
  }
  f.write_string_list_attribute(layer, "weight_names", weight_names);
}

const char* kConv = "conv3_block2_2_conv";  // a 3x3 conv of stage conv3: kernel (3, 3, 4, 4) at 1/32 width

TEST(KerasWeightsErrors, MissingLayer) {
  const std::string path = keras_fixture_copy("new_top.h5", "missing_layer", [](Hdf5File& f) {
    f.remove(kConv);
    drop_layer_names(f, {kConv});
  });
  expect_load_error(path, {"missing layer 'conv3_block2_2_conv'", "resnet50"});
}

TEST(KerasWeightsErrors, ListedLayerWithoutGroup) {
  const std::string path =
      keras_fixture_copy("new_top.h5", "listed_no_group", [](Hdf5File& f) { f.remove(kConv); });
  expect_load_error(path, {"layer 'conv3_block2_2_conv'", "listed in layer_names but has no group"});
}

TEST(KerasWeightsErrors, LayerWithoutWeightNames) {
  const std::string path = keras_fixture_copy("old_top.h5", "no_weight_names", [](Hdf5File& f) {
    f.remove_attribute("res3b_branch2b", "weight_names");
  });
  expect_load_error(path, {"layer 'res3b_branch2b'", "no attribute 'weight_names'"});
}

TEST(KerasWeightsErrors, MissingWeightDataset) {
  const std::string path = keras_fixture_copy("new_top.h5", "missing_bias",
                                              [](Hdf5File& f) { f.remove("conv1_conv/conv1_conv/bias:0"); });
  expect_load_error(path, {"layer 'conv1_conv'", "weight 'conv1_conv/bias:0'", "has no dataset"});
}

TEST(KerasWeightsErrors, WrongKernelShape) {
  const std::string path = keras_fixture_copy("new_top.h5", "kernel_shape", [](Hdf5File& f) {
    const std::string kernel = std::string(kConv) + "/" + kConv + "/kernel:0";
    f.remove(kernel);
    const std::vector<float> values(3 * 3 * 4 * 5, 0.1f);
    f.write_f32(kernel, values.data(), {3, 3, 4, 5});
  });
  expect_load_error(path, {"layer 'conv3_block2_2_conv'", "has shape (3, 3, 4, 5)", "expected (3, 3, 4, 4)"});
}

TEST(KerasWeightsErrors, WrongDtype) {
  const std::string path = keras_fixture_copy("old_top.h5", "dtype", [](Hdf5File& f) {
    const std::string kernel = "res4a_branch2c/res4a_branch2c/kernel:0";
    std::vector<int64_t> shape;
    const std::vector<float> values = f.read_f32(kernel, &shape);
    f.remove(kernel);
    const std::vector<int32_t> ints(values.size(), 1);
    f.write_i32(kernel, ints.data(), shape);
  });
  expect_load_error(path, {"layer 'res4a_branch2c'", "kernel:0", "int32", "expected float32"});
}

TEST(KerasWeightsErrors, NaNInBatchnorm) {
  const std::string path = keras_fixture_copy("new_top.h5", "nan", [](Hdf5File& f) {
    const std::string var = "conv4_block3_2_bn/conv4_block3_2_bn/moving_variance:0";
    std::vector<int64_t> shape;
    std::vector<float> values = f.read_f32(var, &shape);
    values[3] = std::numeric_limits<float>::quiet_NaN();
    f.remove(var);
    f.write_f32(var, values.data(), shape);
  });
  expect_load_error(path,
                    {"layer 'conv4_block3_2_bn'", "moving_variance:0", "at flat index 3", "expected finite"});
}

TEST(KerasWeightsErrors, UnknownNaming) {
  const std::string path = (std::filesystem::temp_directory_path() / "tl_test_keras_vgg.h5").string();
  {
    Hdf5File f = Hdf5File::create(path);
    f.write_string_list_attribute("/", "layer_names", {"input_1", "block1_conv1", "block1_conv2"});
    f.create_group("input_1");
    f.write_string_list_attribute("input_1", "weight_names", {});
    for (const char* layer : {"block1_conv1", "block1_conv2"}) {
      const std::vector<float> k(3 * 3 * 3 * 4, 0.1f), b(4, 0.0f);
      f.write_f32(std::string(layer) + "/kernel:0", k.data(), {3, 3, 3, 4});
      f.write_f32(std::string(layer) + "/bias:0", b.data(), {4});
      f.write_string_list_attribute(layer, "weight_names", {"kernel:0", "bias:0"});
    }
  }
  expect_load_error(path, {"unknown Keras layer naming", "conv1_conv", "bn_conv1", "'block1_conv1'"});
}

TEST(KerasWeightsErrors, UnexpectedLayerWithWeights) {
  const std::string path = keras_fixture_copy("new_top.h5", "extra_dense", [](Hdf5File& f) {
    add_layer(f, "dense_1", {{"dense_1/kernel:0", {10, 5}}, {"dense_1/bias:0", {5}}});
  });
  expect_load_error(path, {"layer 'dense_1'", "no layer of a Keras ResNet"});
}

TEST(KerasWeightsErrors, UnexpectedWeightInALayer) {
  const std::string path = keras_fixture_copy("new_top.h5", "extra_weight", [](Hdf5File& f) {
    std::vector<std::string> names = f.read_string_list_attribute("conv1_conv", "weight_names");
    names.push_back("conv1_conv/scale:0");
    const std::vector<float> v(2, 1.0f);
    f.write_f32("conv1_conv/conv1_conv/scale:0", v.data(), {2});
    f.write_string_list_attribute("conv1_conv", "weight_names", names);
  });
  expect_load_error(path, {"layer 'conv1_conv'", "unexpected weight 'conv1_conv/scale:0'", "kernel, bias"});
}

TEST(KerasWeightsErrors, BlockCountsOfNoKnownResNet) {
  const std::string path = keras_fixture_copy("new_top.h5", "depth", [](Hdf5File& f) {
    std::vector<std::string> drop;
    for (const char* part : {"_1_conv", "_1_bn", "_2_conv", "_2_bn", "_3_conv", "_3_bn"})
      drop.push_back(std::string("conv4_block6") + part);
    for (const std::string& layer : drop) f.remove(layer);
    drop_layer_names(f, drop);
  });
  expect_load_error(path, {"blocks per stage {3, 4, 5, 3}", "no known ResNet", "ResNet50"});
}

TEST(KerasWeightsErrors, ResNetV2IsRejected) {
  const std::string path = keras_fixture_copy("new_top.h5", "v2", [](Hdf5File& f) {
    add_layer(f, "conv2_block1_preact_bn", {{"conv2_block1_preact_bn/gamma:0", {2}}});
  });
  expect_load_error(path, {"conv2_block1_preact_bn", "ResNet V2"});
}

TEST(KerasWeightsErrors, ShortcutWhereNoneBelongs) {
  const std::string path = keras_fixture_copy("old_top.h5", "extra_shortcut", [](Hdf5File& f) {
    add_layer(f, "res2b_branch1", {{"res2b_branch1/kernel:0", {1, 1, 8, 8}}, {"res2b_branch1/bias:0", {8}}});
    add_layer(f, "bn2b_branch1",
              {{"bn2b_branch1/gamma:0", {8}},
               {"bn2b_branch1/beta:0", {8}},
               {"bn2b_branch1/moving_mean:0", {8}},
               {"bn2b_branch1/moving_variance:0", {8}}});
  });
  expect_load_error(path, {"layer 'res2b_branch1'", "identity shortcut"});
}

TEST(KerasWeightsErrors, TheanoBackendIsRefused) {
  const std::string path = keras_fixture_copy(
      "old_top.h5", "theano", [](Hdf5File& f) { f.write_string_attribute("/", "backend", "theano"); });
  expect_load_error(path, {"Theano", "flipped"});
}

TEST(KerasWeightsErrors, TruncatedFile) {
  const std::string path = keras_fixture_copy("new_top.h5", "truncated", [](Hdf5File&) {});
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  try {
    load_resnet_weights(path);
    ADD_FAILURE() << "no error for a truncated file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(KerasWeightsErrors, ModelConfigThatIsNotJson) {
  const std::string path = keras_fixture_copy("new_whole_notop.h5", "bad_config", [](Hdf5File& f) {
    f.write_string_attribute("/", "model_config", "{\"class_name\": \"Functional\", \"config\": ");
  });
  expect_load_error(path, {"model_config", "not the JSON of a Keras model"});
}

}  // namespace
}  // namespace tl
