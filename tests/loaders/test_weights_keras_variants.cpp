// Keras files that are not the fixtures as written but that Keras itself loads: tl must load
// them to the same network.
#include <gtest/gtest.h>

#include <algorithm>

#include "loaders/keras_h5.h"
#include "loaders/weights.h"
#include "tests/loaders/keras_fixture_copy.h"

namespace tl {
namespace {

TEST(KerasWeightsFileVariants, WholeModelEpsilonComesFromModelConfig) {
  const std::string path = keras_fixture_copy("new_whole_notop.h5", "config_eps", [](Hdf5File& f) {
    std::string config = f.read_string_attribute("/", "model_config");
    const size_t layer = config.find("\"name\": \"conv1_bn\"");
    ASSERT_NE(layer, std::string::npos);
    const size_t eps = config.find("\"epsilon\": ", layer) + std::string("\"epsilon\": ").size();
    const size_t end = config.find_first_of(",}", eps);
    config.replace(eps, end - eps, "0.25");
    f.write_string_attribute("/", "model_config", config);
  });
  const ResNet net = load_resnet_weights(path);
  EXPECT_FLOAT_EQ(net.stem.bn.eps, 0.25f);
  EXPECT_FLOAT_EQ(net.stages[0][0].convs[0].bn.eps, 1.001e-5f);
}

TEST(KerasWeightsFileVariants, DatasetNamedWithoutColonZeroWhileWeightNamesHaveIt) {
  const std::string path = keras_fixture_copy("new_top.h5", "mixed_colon", [](Hdf5File& f) {
    const std::string kernel = "conv1_conv/conv1_conv/kernel:0";
    std::vector<int64_t> shape;
    const std::vector<float> values = f.read_f32(kernel, &shape);
    f.remove(kernel);
    f.write_f32("conv1_conv/conv1_conv/kernel", values.data(), shape);
  });
  const ResNet renamed = load_resnet_weights(path);
  const ResNet original = load_resnet_weights(keras_fixture("new_top.h5"));
  EXPECT_EQ(renamed.stem.weight.to_vector<float>(), original.stem.weight.to_vector<float>());
}

// The published keras_applications v0.2 files predate TF-style weight names: Keras 1 called
// them "<layer>_W", "<layer>_b", "<layer>_running_std" (the variance, despite the name), stored
// directly in the layer's group. old_top.h5 rewritten that way must load to the same network.
TEST(KerasWeightsFileVariants, Keras1WeightNames) {
  const std::string path = keras_fixture_copy("old_top.h5", "keras1_names", [](Hdf5File& f) {
    const std::vector<std::pair<std::string, std::string>> renames = {{"kernel", "W"},
                                                                      {"bias", "b"},
                                                                      {"gamma", "gamma"},
                                                                      {"beta", "beta"},
                                                                      {"moving_mean", "running_mean"},
                                                                      {"moving_variance", "running_std"}};
    for (const std::string& layer : read_keras_name_list(f, "/", "layer_names")) {
      std::vector<std::string> names;
      for (const std::string& weight : read_keras_name_list(f, layer, "weight_names")) {
        const std::string role = weight.substr(weight.find('/') + 1, weight.find(':') - weight.find('/') - 1);
        const auto it =
            std::find_if(renames.begin(), renames.end(), [&](const auto& r) { return r.first == role; });
        ASSERT_NE(it, renames.end()) << weight;
        const std::string name = layer + "_" + it->second + ":0";
        std::vector<int64_t> shape;
        const std::vector<float> values = f.read_f32(layer + "/" + weight, &shape);
        f.remove(layer + "/" + weight);
        f.write_f32(layer + "/" + name, values.data(), shape);
        names.push_back(name);
      }
      if (!names.empty()) f.write_string_list_attribute(layer, "weight_names", names);
    }
  });
  const ResNet renamed = load_resnet_weights(path);
  const ResNet original = load_resnet_weights(keras_fixture("old_top.h5"));
  ASSERT_EQ(conv_units(renamed).size(), conv_units(original).size());
  for (size_t i = 0; i < conv_units(renamed).size(); ++i) {
    const ConvUnit& a = *conv_units(renamed)[i];
    const ConvUnit& b = *conv_units(original)[i];
    EXPECT_EQ(a.folded_weight.to_vector<float>(), b.folded_weight.to_vector<float>()) << a.name;
    EXPECT_EQ(a.folded_bias.to_vector<float>(), b.folded_bias.to_vector<float>()) << a.name;
  }
  EXPECT_EQ(renamed.fc_weight.to_vector<float>(), original.fc_weight.to_vector<float>());
}

}  // namespace
}  // namespace tl
