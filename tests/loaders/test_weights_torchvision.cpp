// torchvision-layout fixtures (tools/gen_torchvision_fixtures.py): torchvision's own ResNet
// modules at reduced width, random weights and BN statistics, the reference computed by
// PyTorch in float64. Loading must recover the structure; the folded float32 forward must
// reproduce features, logits and intermediate activations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/resnet_forward.h"
#include "loaders/weights.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

const std::string kDir = std::string(TL_TEST_DATA_DIR) + "/resnet/";

Tensor read_tensor(const Hdf5File& f, const std::string& name) {
  std::vector<int64_t> shape;
  const std::vector<float> values = f.read_f32(name, &shape);
  return Tensor::from_vector(values, Shape(shape));
}

// Relative error 1e-4 against PyTorch's float64 result, measured per element with an absolute
// floor of 1e-4 * max|expected| of that tensor: an element that ReLU or a residual sum brings
// near zero carries the rounding of its large inputs, so its own relative error is meaningless.
// (The float32 engine differs from float64 by sums of up to 4608 float32 products per conv
// through 20-50 layers; observed on these fixtures: max abs error <= 1e-6 * max|expected|,
// a margin of 100x.)
::testing::AssertionResult matches(const Tensor& actual, const Tensor& expected) {
  if (!(actual.shape() == expected.shape()))
    return ::testing::AssertionFailure() << "shape " << actual.shape().str() << " vs " << expected.shape().str();
  const std::vector<float> a = actual.to_vector<float>(), e = expected.to_vector<float>();
  float scale = 0;
  for (float v : e) scale = std::max(scale, std::fabs(v));
  return test::all_close(a, e, test::Tolerance{1e-4 * scale, 1e-4});
}

struct FixtureCase {
  std::string name;
  int depth;
  BlockKind block;
  int64_t width, feature_dim, classes;
};

class TorchvisionFixture : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(TorchvisionFixture, LoadsTheStructure) {
  const FixtureCase c = GetParam();
  const ResNet net = load_resnet_weights(kDir + c.name + ".h5");
  EXPECT_EQ(net.source, SourceLayout::torchvision);
  EXPECT_EQ(net.architecture, "resnet" + std::to_string(c.depth));
  EXPECT_EQ(net.depth, c.depth);
  EXPECT_EQ(net.block, c.block);
  EXPECT_EQ(net.stride_at, StrideAt::conv3x3);
  EXPECT_EQ(net.bn_eps, 1e-5f);
  EXPECT_EQ(net.stem.out_channels, c.width);
  EXPECT_FALSE(net.stem.bias.defined());
  EXPECT_EQ(net.feature_dim, c.feature_dim);
  EXPECT_EQ(net.num_classes, c.classes);
  EXPECT_EQ(net.preprocessing, Preprocessing::from_preset("torchvision"));
  EXPECT_EQ(net.file_path, kDir + c.name + ".h5");
  // The OIHW -> KRSC conversion: element (k=1, c=2, r=3, s=4) of conv1.weight.
  const Hdf5File f = Hdf5File::open_read(kDir + c.name + ".h5");
  const std::vector<float> oihw = f.read_f32("conv1.weight");
  const float* krsc = net.stem.weight.data<float>();
  EXPECT_EQ(krsc[((1 * 7 + 3) * 7 + 4) * 3 + 2], oihw[((1 * 3 + 2) * 7 + 3) * 7 + 4]);
}

TEST_P(TorchvisionFixture, ForwardMatchesPyTorch) {
  const FixtureCase c = GetParam();
  const ResNet net = load_resnet_weights(kDir + c.name + ".h5");
  const Hdf5File ref = Hdf5File::open_read(kDir + c.name + "_ref.h5");
  ForwardOptions options;
  const std::vector<std::string> names = {"stem", "maxpool", "layer1", "layer2", "layer3", "layer4", "layer2.0"};
  options.capture = names;
  const ForwardResult out = forward(net, read_tensor(ref, "input"), options);
  for (const std::string& name : names)
    EXPECT_TRUE(matches(out.activations.at(name), read_tensor(ref, "activations/" + name))) << name;
  EXPECT_TRUE(matches(out.features, read_tensor(ref, "features"))) << "features";
  EXPECT_TRUE(matches(out.logits, read_tensor(ref, "logits"))) << "logits";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TorchvisionFixture,
                         ::testing::Values(FixtureCase{"resnet18_w8", 18, BlockKind::basic, 8, 64, 10},
                                           FixtureCase{"resnet50_w4", 50, BlockKind::bottleneck, 4, 128, 7}),
                         [](const auto& p) { return p.param.name; });

TEST(TorchvisionWeights, ReadsOptionalAttributes) {
  const ResNet net = load_resnet_weights(kDir + "resnet18_w8.h5");
  ASSERT_EQ(net.class_names.size(), 10u);
  EXPECT_EQ(net.class_names[3], "class_3");
  EXPECT_EQ(net.input_size, 224);
  const ResNet bottleneck = load_resnet_weights(kDir + "resnet50_w4.h5");
  EXPECT_TRUE(bottleneck.class_names.empty());
  EXPECT_EQ(bottleneck.input_size, 0);
}

TEST(ResNetForward, UnknownActivationNameIsAnError) {
  const ResNet net = load_resnet_weights(kDir + "resnet18_w8.h5");
  ForwardOptions options;
  options.capture = {"layer5"};
  EXPECT_THROW(forward(net, Tensor::zeros({1, 32, 32, 3}, DType::f32), options), Error);
  EXPECT_THROW(forward(net, Tensor::zeros({1, 32, 32, 4}, DType::f32)), Error);  // not 3 channels
}

}  // namespace
}  // namespace tl
