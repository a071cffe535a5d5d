// torchvision-layout fixtures (tools/gen_torchvision_fixtures.py): torchvision's own ResNet
// modules at reduced width, random weights and BN statistics, the reference computed by
// PyTorch in float64. Loading must recover the structure; the folded float32 forward must
// reproduce features, logits and intermediate activations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/ops.h"
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

// Features from several stages: each stage's PyTorch float64 activation (N, H, W, C) averaged
// over H and W here in double, then side by side in stage order, against tl's pooled features.
TEST_P(TorchvisionFixture, MultiStageFeaturesArePooledStageOutputs) {
  const FixtureCase c = GetParam();
  const ResNet net = load_resnet_weights(kDir + c.name + ".h5");
  const Hdf5File ref = Hdf5File::open_read(kDir + c.name + "_ref.h5");
  for (const std::vector<int>& stages : {std::vector<int>{2, 3, 4}, std::vector<int>{1, 3}, std::vector<int>{3}}) {
    std::vector<Tensor> pooled;
    int64_t width = 0;
    for (int s : stages) {
      const Tensor a = read_tensor(ref, "activations/layer" + std::to_string(s));  // (N, H, W, C)
      const int64_t n = a.dim(0), hw = a.dim(1) * a.dim(2), ch = a.dim(3);
      const std::vector<float> v = a.to_vector<float>();
      std::vector<float> mean(static_cast<size_t>(n * ch));
      for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < ch; ++k) {
          double sum = 0;
          for (int64_t p = 0; p < hw; ++p) sum += v[static_cast<size_t>((i * hw + p) * ch + k)];
          mean[static_cast<size_t>(i * ch + k)] = static_cast<float>(sum / static_cast<double>(hw));
        }
      pooled.push_back(Tensor::from_vector(mean, {n, ch}));
      width += ch;
    }
    ForwardOptions options;
    options.pooled_stages = stages;
    const ForwardResult out = forward(net, read_tensor(ref, "input"), options);
    EXPECT_EQ(pooled_feature_dim(net, stages), width);
    EXPECT_FALSE(out.logits.defined()) << "the original fc reads layer4 alone";
    EXPECT_TRUE(matches(out.features, concat_columns(pooled))) << pooled_stages_name(stages);
  }
}

TEST(PooledStages, NamesParseAndBadListsAreErrors) {
  EXPECT_EQ(parse_pooled_stages("layer2+layer3+layer4"), (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(parse_pooled_stages("1,4"), (std::vector<int>{1, 4}));
  EXPECT_EQ(pooled_stages_name({2, 3, 4}), "layer2+layer3+layer4");
  for (const std::string bad : {"", "layer5", "layer4+layer2", "layer3+layer3", "layers", "2,,3", "0"})
    EXPECT_THROW(parse_pooled_stages(bad), Error) << "'" << bad << "'";
  const ResNet net = load_resnet_weights(kDir + "resnet18_w8.h5");
  ForwardOptions options;
  options.pooled_stages = {4, 2};
  EXPECT_THROW(forward(net, Tensor::zeros({1, 32, 32, 3}, DType::f32), options), Error);
}

TEST(ConcatColumns, PlacesEachPartAtItsColumnsAndChecksShapes) {
  const Tensor a = Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  const Tensor b = Tensor::from_vector(std::vector<float>{5, 6}, {2, 1});
  EXPECT_EQ(concat_columns({a, b}).to_vector<float>(), (std::vector<float>{1, 2, 5, 3, 4, 6}));
  EXPECT_EQ(concat_columns({b, a}).to_vector<float>(), (std::vector<float>{5, 1, 2, 6, 3, 4}));
  EXPECT_THROW(concat_columns({a, Tensor::zeros({3, 1}, DType::f32)}), Error);
  EXPECT_THROW(concat_columns({}), Error);
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
