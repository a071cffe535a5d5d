// Keras legacy .h5 ResNet weights against Keras itself: the fixtures of tests/data/keras
// (tools/gen_keras_fixtures.py, TensorFlow 2.15 / Keras 2.15) are ResNet50-structure models
// at 1/32 width in both naming generations; the reference files hold Keras' own outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/resnet_forward.h"
#include "loaders/hdf5_file.h"
#include "loaders/weights.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

std::string fixture(const std::string& name) { return std::string(TL_TEST_DATA_DIR) + "/keras/" + name; }

struct KerasCase {
  std::string weights;    // file under tests/data/keras
  std::string reference;  // "new_reference.h5" | "old_reference.h5"
  bool top;
  std::string stem_name;  // the stem conv's name in this generation
  float eps;
};

void PrintTo(const KerasCase& c, std::ostream* os) { *os << c.weights; }

std::string case_name(const ::testing::TestParamInfo<KerasCase>& info) {
  std::string n = info.param.weights.substr(0, info.param.weights.find('.'));
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

const KerasCase kCases[] = {
    {"new_top.h5", "new_reference.h5", true, "conv1_conv", 1.001e-5f},
    {"new_whole_notop.h5", "new_reference.h5", false, "conv1_conv", 1.001e-5f},
    {"new_chunked.h5", "new_reference.h5", true, "conv1_conv", 1.001e-5f},
    {"old_top.h5", "old_reference.h5", true, "conv1", 1e-3f},
    {"old_notop.h5", "old_reference.h5", false, "conv1", 1e-3f},
    {"old_nocolon.h5", "old_reference.h5", true, "conv1", 1e-3f},
};

class KerasWeights : public ::testing::TestWithParam<KerasCase> {};

// Tolerance for the frozen forward against Keras (TF CPU, float32): 1e-4 relative, as the
// issue asks; atol 1e-5 of the tensor's largest magnitude covers elements that are sums of
// terms much larger than themselves (near-cancellations), where only absolute error is
// meaningful: float32 rounding of terms of size max|y| is ~1e-7 * max|y| per add.
test::Tolerance forward_tolerance(const std::vector<float>& expected) {
  float max_abs = 0;
  for (float v : expected) max_abs = std::max(max_abs, std::fabs(v));
  return {1e-5 * max_abs, 1e-4};
}

TEST_P(KerasWeights, ForwardMatchesKeras) {
  const KerasCase c = GetParam();
  const ResNet net = load_resnet_weights(fixture(c.weights));
  const Hdf5File ref = Hdf5File::open_read(fixture(c.reference));
  std::vector<int64_t> shape;
  const std::vector<float> input = ref.read_f32("input", &shape);  // (N, H, W, 3), caffe-normalized
  const Tensor x = Tensor::from_vector(input, Shape(shape));

  ForwardOptions options;
  options.capture = {"stem", "maxpool", "layer1", "layer2", "layer3", "layer4"};
  const ForwardResult out = forward(net, x, options);
  for (const std::string& name : options.capture) {
    std::vector<int64_t> expected_shape;
    const std::vector<float> expected = ref.read_f32(name, &expected_shape);
    ASSERT_EQ(out.activations.at(name).shape(), Shape(expected_shape)) << name;
    EXPECT_TRUE(
        test::all_close(out.activations.at(name).to_vector<float>(), expected, forward_tolerance(expected)))
        << c.weights << ": " << name;
  }
  const std::vector<float> features = ref.read_f32("features");
  EXPECT_TRUE(test::all_close(out.features.to_vector<float>(), features, forward_tolerance(features)))
      << "features";
  if (c.top) {
    const std::vector<float> logits = ref.read_f32("logits");
    ASSERT_TRUE(out.logits.defined());
    EXPECT_TRUE(test::all_close(out.logits.to_vector<float>(), logits, forward_tolerance(logits)))
        << "logits";
  } else {
    EXPECT_FALSE(out.logits.defined());
  }
}

TEST_P(KerasWeights, StructureIsKerasResNet50V1) {
  const KerasCase c = GetParam();
  const ResNet net = load_resnet_weights(fixture(c.weights));
  const Hdf5File ref = Hdf5File::open_read(fixture(c.reference));
  EXPECT_EQ(net.source, SourceLayout::keras);
  EXPECT_EQ(net.architecture, "resnet50");
  EXPECT_EQ(net.depth, 50);
  EXPECT_EQ(net.block, BlockKind::bottleneck);
  EXPECT_EQ(net.blocks_per_stage, (std::array<int, 4>{3, 4, 6, 3}));
  EXPECT_EQ(net.stride_at, StrideAt::first_1x1);
  EXPECT_FLOAT_EQ(net.bn_eps, c.eps);
  EXPECT_FLOAT_EQ(static_cast<float>(ref.read_number_attribute("/", "bn_epsilon")), c.eps);
  EXPECT_EQ(net.preprocessing, Preprocessing::from_preset("caffe"));
  EXPECT_EQ(net.file_path, fixture(c.weights));
  EXPECT_EQ(net.stem.name, c.stem_name);
  EXPECT_EQ(net.stem.kernel, 7);
  EXPECT_EQ(net.stem.stride, 2);
  EXPECT_EQ(net.stem.padding, 3);       // ZeroPadding2D(3) + valid 7x7/2
  EXPECT_EQ(net.maxpool_padding, 1);    // ZeroPadding2D(1) + valid 3x3/2, after a ReLU
  EXPECT_EQ(net.stem.out_channels, 2);  // 64 / 32
  EXPECT_EQ(net.feature_dim, 64);       // 2048 / 32
  EXPECT_EQ(net.num_classes, c.top ? 10 : 0);
  for (const ConvUnit* u : conv_units(net)) {
    EXPECT_TRUE(u->bias.defined()) << u->name << ": Keras convs carry a bias";
    EXPECT_FLOAT_EQ(u->bn.eps, c.eps) << u->name;
    EXPECT_TRUE(u->folded_weight.defined() && u->folded_bias.defined()) << u->name;
  }
  for (int s = 0; s < 4; ++s) {
    const ResidualBlock& first = net.stages[s][0];
    const int stride = s == 0 ? 1 : 2;
    EXPECT_EQ(first.convs[0].stride, stride) << "stage " << s << ": the stride sits in the first 1x1";
    EXPECT_EQ(first.convs[1].stride, 1);
    EXPECT_EQ(first.convs[1].padding, 1);
    ASSERT_TRUE(first.shortcut.has_value());
    EXPECT_EQ(first.shortcut->stride, stride);
    for (size_t b = 1; b < net.stages[s].size(); ++b) EXPECT_FALSE(net.stages[s][b].shortcut.has_value());
  }
  // Keras counts running statistics too (count_params); tl's count leaves them out, like
  // Keras' trainable weights.
  int64_t running_stats = 0;
  for (const ConvUnit* u : conv_units(net))
    running_stats += u->bn.running_mean.numel() + u->bn.running_var.numel();
  const int64_t trainable = static_cast<int64_t>(ref.read_number_attribute("/", "keras_trainable_params"));
  const int64_t total = static_cast<int64_t>(ref.read_number_attribute("/", "keras_count_params"));
  if (c.top) {
    EXPECT_EQ(net.parameter_count(), trainable);
    EXPECT_EQ(net.parameter_count() + running_stats, total);
  } else {  // the reference counts the model with its head: 64 * 10 + 10 more
    EXPECT_EQ(net.parameter_count() + 64 * 10 + 10, trainable);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, KerasWeights, ::testing::ValuesIn(kCases), case_name);

TEST(KerasWeightsFile, NamesAreKeptFromTheFile) {
  const ResNet current = load_resnet_weights(fixture("new_top.h5"));
  EXPECT_EQ(current.stages[1][0].convs[0].name, "conv3_block1_1_conv");
  EXPECT_EQ(current.stages[1][0].shortcut->name, "conv3_block1_0_conv");
  EXPECT_EQ(current.stages[3][2].convs[2].name, "conv5_block3_3_conv");
  const ResNet legacy = load_resnet_weights(fixture("old_top.h5"));
  EXPECT_EQ(legacy.stages[1][0].convs[0].name, "res3a_branch2a");
  EXPECT_EQ(legacy.stages[1][0].shortcut->name, "res3a_branch1");
  EXPECT_EQ(legacy.stages[2][5].convs[1].name, "res4f_branch2b");
}

// Keras' preprocess_input (caffe mode) on the reference's uint8 image equals tl's "caffe"
// preset applied with the NormalizeParams formula.
TEST(KerasWeightsFile, CaffePreprocessingMatchesKeras) {
  const ResNet net = load_resnet_weights(fixture("new_top.h5"));
  const Hdf5File ref = Hdf5File::open_read(fixture("new_reference.h5"));
  const std::vector<int32_t> rgb = ref.read_i32("input_rgb");  // (N, H, W, 3) uint8 RGB
  const std::vector<float> expected = ref.read_f32("input");
  const NormalizeParams& p = net.preprocessing.params;
  std::vector<float> actual(rgb.size());
  for (size_t i = 0; i < rgb.size(); i += 3)
    for (int c = 0; c < 3; ++c) {
      const int src = p.bgr ? 2 - c : c;
      actual[i + c] = (static_cast<float>(rgb[i + src]) * p.scale - p.mean[c]) / p.std[c];
    }
  EXPECT_TRUE(test::all_close(actual, expected, test::Tolerance::fp32()));
}

// The two chunked attributes really are chunked in the fixture, and strings of both kinds
// (h5py's fixed-length 'S' arrays, Keras 2.15's variable-length ones) read the same.
TEST(KerasWeightsFile, FixtureAttributesAreChunkedAndFixedLength) {
  const Hdf5File chunked = Hdf5File::open_read(fixture("new_chunked.h5"));
  EXPECT_FALSE(chunked.has_attribute("/", "layer_names"));
  EXPECT_TRUE(chunked.has_attribute("/", "layer_names1"));
  EXPECT_FALSE(chunked.has_attribute("conv1_conv", "weight_names"));
  const Hdf5File plain = Hdf5File::open_read(fixture("new_top.h5"));
  std::vector<std::string> all;
  for (int i = 0; chunked.has_attribute("/", "layer_names" + std::to_string(i)); ++i) {
    const auto part = chunked.read_string_list_attribute("/", "layer_names" + std::to_string(i));
    all.insert(all.end(), part.begin(), part.end());
  }
  EXPECT_EQ(all, plain.read_string_list_attribute("/", "layer_names"));
  const Hdf5File nocolon = Hdf5File::open_read(fixture("old_nocolon.h5"));
  EXPECT_EQ(nocolon.read_string_list_attribute("conv1", "weight_names"),
            (std::vector<std::string>{"conv1/kernel", "conv1/bias"}));
}

}  // namespace
}  // namespace tl
