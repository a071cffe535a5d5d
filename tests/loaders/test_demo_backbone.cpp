// The demo backbone shipped in tests/data/demo (tools/train_demo_backbone.py): tl's loader reads
// it as a torchvision resnet18 at reduced width, and tl's frozen forward reproduces PyTorch's
// float64 features (layer4, and each earlier stage pooled) and logits on a reference batch
// (tools/demo_reference.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/ops.h"
#include "engine/resnet_forward.h"
#include "loaders/weights.h"
#include "tests/common/tolerance.h"

namespace tl {
namespace {

const std::string kDir = std::string(TL_TEST_DATA_DIR) + "/demo/";

Tensor read_tensor(const Hdf5File& f, const std::string& name) {
  std::vector<int64_t> shape;
  const std::vector<float> values = f.read_f32(name, &shape);
  return Tensor::from_vector(values, Shape(shape));
}

// As in test_weights_torchvision.cpp: relative 1e-4 with an absolute floor of 1e-4 * max|expected|
// (float32 against float64 through 18 layers; elements near zero after a ReLU or residual sum
// carry the rounding of their large inputs).
::testing::AssertionResult matches(const Tensor& actual, const Tensor& expected) {
  if (!(actual.shape() == expected.shape()))
    return ::testing::AssertionFailure()
           << "shape " << actual.shape().str() << " vs " << expected.shape().str();
  const std::vector<float> a = actual.to_vector<float>(), e = expected.to_vector<float>();
  float scale = 0;
  for (float v : e) scale = std::max(scale, std::fabs(v));
  return test::all_close(a, e, test::Tolerance{1e-4 * scale, 1e-4});
}

TEST(DemoBackbone, LoadsAsReducedResNet18OnTheSourceClasses) {
  const ResNet net = load_resnet_weights(kDir + "fashion_source_resnet18.h5");
  EXPECT_EQ(net.architecture, "resnet18");
  EXPECT_EQ(net.block, BlockKind::basic);
  EXPECT_EQ(net.blocks_per_stage, (std::array<int, 4>{2, 2, 2, 2}));
  EXPECT_EQ(net.num_classes, 5);
  EXPECT_EQ(net.class_names,
            (std::vector<std::string>{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"}));
  EXPECT_EQ(net.input_size, 32);
  EXPECT_EQ(net.preprocessing, Preprocessing::from_preset("torchvision"));
}

TEST(DemoBackbone, ForwardMatchesPyTorch) {
  const ResNet net = load_resnet_weights(kDir + "fashion_source_resnet18.h5");
  const Hdf5File ref = Hdf5File::open_read(kDir + "fashion_reference_batch.h5");
  const ForwardResult out = forward(net, read_tensor(ref, "input"));
  EXPECT_TRUE(matches(out.features, read_tensor(ref, "features"))) << "features";
  EXPECT_TRUE(matches(out.logits, read_tensor(ref, "logits"))) << "logits";
}

// The demo's features (layer2+layer3+layer4, each stage pooled): PyTorch's pooled stage outputs
// side by side, as tl demo gives them to the head.
TEST(DemoBackbone, MultiStageFeaturesMatchPyTorch) {
  const ResNet net = load_resnet_weights(kDir + "fashion_source_resnet18.h5");
  const Hdf5File ref = Hdf5File::open_read(kDir + "fashion_reference_batch.h5");
  ForwardOptions options;
  options.pooled_stages = {2, 3, 4};
  const ForwardResult out = forward(net, read_tensor(ref, "input"), options);
  const Tensor expected = concat_columns(
      {read_tensor(ref, "features_layer2"), read_tensor(ref, "features_layer3"), read_tensor(ref, "features")});
  EXPECT_TRUE(matches(out.features, expected));
  options.pooled_stages = {1};
  EXPECT_TRUE(matches(forward(net, read_tensor(ref, "input"), options).features, read_tensor(ref, "features_layer1")));
}

}  // namespace
}  // namespace tl
