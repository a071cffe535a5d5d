// Keras ResNet names (loaders/keras_resnet_names.h) and the deeper nets: ResNet101/152 files in
// both namings, written here at tiny width (the fixtures are ResNet50 only), and the
// full-width parameter counts against Keras' own.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/resnet_builder.h"
#include "kernels/common/error.h"
#include "loaders/hdf5_file.h"
#include "loaders/keras_resnet_names.h"
#include "loaders/weights.h"
#include "tests/common/random.h"

namespace tl {
namespace {

using K = KerasLayerKind;

TEST(KerasResNetNames, ParsesBothGenerations) {
  auto role = [](KerasNaming n, const std::string& name) {
    const auto r = parse_keras_layer(n, name);
    EXPECT_TRUE(r.has_value()) << name;
    return r.value_or(KerasLayerRole{K::head});
  };
  KerasLayerRole r = role(KerasNaming::current, "conv3_block4_2_conv");
  EXPECT_EQ(r.kind, K::block_conv);
  EXPECT_EQ(r.stage, 1);
  EXPECT_EQ(r.block, 3);
  EXPECT_EQ(r.conv, 1);
  r = role(KerasNaming::current, "conv5_block1_0_bn");  // the shortcut's BN
  EXPECT_EQ(r.kind, K::block_bn);
  EXPECT_EQ(r.stage, 3);
  EXPECT_EQ(r.conv, 3);
  r = role(KerasNaming::legacy, "bn4f_branch2c");
  EXPECT_EQ(r.kind, K::block_bn);
  EXPECT_EQ(r.stage, 2);
  EXPECT_EQ(r.block, 5);
  EXPECT_EQ(r.conv, 2);
  r = role(KerasNaming::legacy, "res4b22_branch1");  // Caffe ResNet-101 numbering
  EXPECT_EQ(r.block, 22);
  EXPECT_EQ(r.conv, 3);
  EXPECT_EQ(role(KerasNaming::legacy, "bn_conv1").kind, K::stem_bn);
  EXPECT_EQ(role(KerasNaming::current, "predictions").kind, K::head);
  EXPECT_EQ(role(KerasNaming::legacy, "fc1000").kind, K::head);
  for (const char* bad :
       {"conv1_relu", "conv6_block1_1_conv", "conv2_block0_1_conv", "conv2_block1_4_conv", "res2a_branch2a"})
    EXPECT_FALSE(parse_keras_layer(KerasNaming::current, bad).has_value()) << bad;
  for (const char* bad :
       {"res2a_branch2d", "res1a_branch2a", "res3b0_branch2a", "conv1_conv", "activation_3"})
    EXPECT_FALSE(parse_keras_layer(KerasNaming::legacy, bad).has_value()) << bad;
  // Names come back from roles.
  for (const char* name : {"conv4_block6_3_bn", "conv2_block1_0_conv", "conv1_conv"})
    EXPECT_EQ(keras_layer_name(KerasNaming::current, role(KerasNaming::current, name)), name);
  for (const char* name : {"res4f_branch2c", "bn3a_branch1", "conv1", "bn_conv1"})
    EXPECT_EQ(keras_layer_name(KerasNaming::legacy, role(KerasNaming::legacy, name)), name);
}

TEST(KerasResNetNames, WeightRolesOfEveryKerasVersion) {
  using R = KerasWeightRole;
  const std::pair<const char*, R> cases[] = {
      {"conv1_conv/kernel:0", R::kernel},
      {"conv1_conv/bias:0", R::bias},
      {"conv1_conv/kernel", R::kernel},
      {"bn_conv1/moving_variance:0", R::moving_variance},
      {"bn_conv1/moving_mean", R::moving_mean},
      {"conv1_bn/gamma:0", R::gamma},
      {"conv1_bn/beta:0", R::beta},
      {"conv1_W_1:0", R::kernel},  // Keras 1
      {"conv1_b_1:0", R::bias},
      {"bn_conv1_running_std_1:0", R::moving_variance},
      {"bn_conv1_running_mean_1:0", R::moving_mean},
      {"bn_conv1_gamma_1:0", R::gamma},
  };
  for (const auto& [name, role] : cases) {
    const auto parsed = parse_keras_weight(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    EXPECT_EQ(*parsed, role) << name;
  }
  EXPECT_FALSE(parse_keras_weight("conv1_conv/scale:0").has_value());
}

TEST(KerasResNetNames, DetectsTheGeneration) {
  EXPECT_EQ(detect_keras_naming({"conv1_conv", "conv1_bn"}, "f.h5"), KerasNaming::current);
  EXPECT_EQ(detect_keras_naming({"conv1", "bn_conv1"}, "f.h5"), KerasNaming::legacy);
  EXPECT_FLOAT_EQ(keras_bn_epsilon(KerasNaming::current), 1.001e-5f);
  EXPECT_FLOAT_EQ(keras_bn_epsilon(KerasNaming::legacy), 1e-3f);
  EXPECT_THROW(detect_keras_naming({"block1_conv1"}, "f.h5"), Error);
  EXPECT_THROW(detect_keras_naming({"conv1_conv", "post_bn"}, "f.h5"), Error);
}

// Writes a Keras-layout file of a ResNet with `blocks` per stage at base width 1 (stem 1,
// stage widths 1, 2, 4, 8, outputs x4), random weights; returns the number of trainable
// values written (kernels, biases, gamma, beta) as Keras would count them.
int64_t write_tiny_keras_resnet(const std::string& path, KerasNaming naming, const std::array<int, 4>& blocks,
                                bool caffe_block_numbers) {
  Hdf5File f = Hdf5File::create(path);
  std::vector<std::string> layer_names{"input_1"};
  f.create_group("input_1");
  f.write_string_list_attribute("input_1", "weight_names", {});
  int64_t trainable = 0;
  uint32_t seed = 1;
  auto write_layer = [&](const std::string& layer,
                         const std::vector<std::pair<std::string, std::vector<int64_t>>>& ws) {
    layer_names.push_back(layer);
    std::vector<std::string> names;
    for (const auto& [w, shape] : ws) {
      int64_t n = 1;
      for (int64_t d : shape) n *= d;
      const bool variance = w == "moving_variance";
      const std::vector<float> v =
          test::random_floats(static_cast<size_t>(n), seed++, variance ? 0.5f : -0.5f, 1.0f);
      f.write_f32(layer + "/" + layer + "/" + w + ":0", v.data(), shape);
      names.push_back(layer + "/" + w + ":0");
      if (w != "moving_mean" && w != "moving_variance") trainable += n;
    }
    f.write_string_list_attribute(layer, "weight_names", names);
  };
  auto conv_bn = [&](const KerasLayerRole& conv, int64_t k, int64_t c, int64_t out) {
    KerasLayerRole bn = conv;
    bn.kind = conv.kind == K::stem_conv ? K::stem_bn : K::block_bn;
    std::string conv_name = keras_layer_name(naming, conv), bn_name = keras_layer_name(naming, bn);
    if (caffe_block_numbers &&
        conv.kind == K::block_conv) {  // blocks a, b1, b2, ... (Caffe's ResNet-101/152)
      const std::string id = conv.block == 0 ? "a" : "b" + std::to_string(conv.block);
      const std::string branch = conv.conv == 3 ? "1" : std::string("2") + static_cast<char>('a' + conv.conv);
      const std::string stage_block = std::to_string(conv.stage + 2) + id + "_branch" + branch;
      conv_name = "res" + stage_block;
      bn_name = "bn" + stage_block;
    }
    write_layer(conv_name, {{"kernel", {k, k, c, out}}, {"bias", {out}}});
    write_layer(bn_name,
                {{"gamma", {out}}, {"beta", {out}}, {"moving_mean", {out}}, {"moving_variance", {out}}});
  };
  conv_bn({K::stem_conv}, 7, 3, 1);
  int64_t in = 1;
  for (int s = 0; s < 4; ++s)
    for (int b = 0; b < blocks[s]; ++b) {
      const int64_t mid = int64_t{1} << s, out = 4 * mid;
      conv_bn({K::block_conv, s, b, 0}, 1, in, mid);
      conv_bn({K::block_conv, s, b, 1}, 3, mid, mid);
      conv_bn({K::block_conv, s, b, 2}, 1, mid, out);
      if (b == 0) conv_bn({K::block_conv, s, b, 3}, 1, in, out);
      in = out;
    }
  const std::string head = naming == KerasNaming::current ? "predictions" : "fc1000";
  write_layer(head, {{"kernel", {in, 5}}, {"bias", {5}}});
  f.write_string_list_attribute("/", "layer_names", layer_names);
  return trainable;
}

struct DeepCase {
  int depth;
  std::array<int, 4> blocks;
  KerasNaming naming;
  bool caffe_numbers;
};

void PrintTo(const DeepCase& c, std::ostream* os) {
  *os << "resnet" << c.depth << (c.naming == KerasNaming::current ? " current" : " legacy")
      << (c.caffe_numbers ? " a/b1/b2 blocks" : "");
}

class KerasDeepResNets : public ::testing::TestWithParam<DeepCase> {};

TEST_P(KerasDeepResNets, LoadWithTheirDepth) {
  const DeepCase c = GetParam();
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("tl_test_keras_r" + std::to_string(c.depth) + (c.caffe_numbers ? "_b" : "") +
                             (c.naming == KerasNaming::current ? "_current" : "_legacy") + ".h5"))
                               .string();
  const int64_t trainable = write_tiny_keras_resnet(path, c.naming, c.blocks, c.caffe_numbers);
  const ResNet net = load_resnet_weights(path);
  EXPECT_EQ(net.depth, c.depth);
  EXPECT_EQ(net.architecture, "resnet" + std::to_string(c.depth));
  EXPECT_EQ(net.blocks_per_stage, c.blocks);
  EXPECT_EQ(net.num_classes, 5);
  EXPECT_EQ(net.feature_dim, 32);
  EXPECT_EQ(net.parameter_count(), trainable);
  EXPECT_FLOAT_EQ(net.bn_eps, keras_bn_epsilon(c.naming));
}

INSTANTIATE_TEST_SUITE_P(Depths, KerasDeepResNets,
                         ::testing::Values(DeepCase{101, {3, 4, 23, 3}, KerasNaming::current, false},
                                           DeepCase{152, {3, 8, 36, 3}, KerasNaming::current, false},
                                           DeepCase{101, {3, 4, 23, 3}, KerasNaming::legacy, true},
                                           DeepCase{152, {3, 8, 36, 3}, KerasNaming::legacy, true},
                                           DeepCase{50, {3, 4, 6, 3}, KerasNaming::legacy, false}));

// The skeleton load_keras_weights builds, at full width, counts what Keras counts as
// trainable (model.trainable_weights of keras.applications.ResNet50/101/152, TF 2.15; with
// running statistics model.count_params() is 25,636,712 / 44,707,176 / 60,419,944).
TEST(KerasDeepResNets, FullWidthParameterCountsMatchKeras) {
  const std::pair<int, int64_t> cases[] = {{50, 25583592}, {101, 44601832}, {152, 60268520}};
  for (const auto& [depth, keras_trainable] : cases) {
    ResNetSpec spec = ResNetSpec::standard(depth);
    spec.stride_at = StrideAt::first_1x1;
    spec.conv_bias = true;
    EXPECT_EQ(build_resnet(spec).parameter_count(), keras_trainable) << "resnet" << depth;
  }
}

}  // namespace
}  // namespace tl
