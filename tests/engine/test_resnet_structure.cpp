// The canonical ResNet for all five depths at full width: block counts, shapes, feature
// dimension and parameter counts against torchvision's published numbers
// (sum(p.numel() for p in torchvision.models.resnetN().parameters())).
#include <gtest/gtest.h>

#include <cmath>

#include "engine/resnet.h"
#include "engine/resnet_builder.h"

namespace tl {
namespace {

struct DepthCase {
  int depth;
  std::array<int, 4> blocks;
  BlockKind kind;
  int64_t feature_dim;
  int64_t parameters;
};

class ResNetStructure : public ::testing::TestWithParam<DepthCase> {};

TEST_P(ResNetStructure, MatchesTorchvision) {
  const DepthCase d = GetParam();
  const ResNet net = build_resnet(ResNetSpec::standard(d.depth));  // tensors allocated, never touched
  EXPECT_EQ(net.depth, d.depth);
  EXPECT_EQ(net.architecture, "resnet" + std::to_string(d.depth));
  EXPECT_EQ(net.block, d.kind);
  EXPECT_EQ(net.blocks_per_stage, d.blocks);
  ASSERT_EQ(net.stages.size(), 4u);
  for (int s = 0; s < 4; ++s) EXPECT_EQ(static_cast<int>(net.stages[s].size()), d.blocks[s]);
  EXPECT_EQ(net.feature_dim, d.feature_dim);
  EXPECT_EQ(net.num_classes, 1000);
  EXPECT_EQ(net.fc_weight.shape(), (Shape{1000, d.feature_dim}));
  EXPECT_EQ(net.parameter_count(), d.parameters);
  EXPECT_EQ(net.stem.weight.shape(), (Shape{64, 7, 7, 3}));
  EXPECT_EQ(net.stem.stride, 2);
  EXPECT_EQ(net.stem.padding, 3);

  // Stride sits in the 3x3 conv (v1.5) of each stage's first block, stages 2-4.
  for (int s = 1; s < 4; ++s) {
    const ResidualBlock& first = net.stages[s][0];
    const ConvUnit& three = first.convs[d.kind == BlockKind::basic ? 0 : 1];
    EXPECT_EQ(three.kernel, 3);
    EXPECT_EQ(three.stride, 2);
    ASSERT_TRUE(first.shortcut.has_value());
    EXPECT_EQ(first.shortcut->stride, 2);
    EXPECT_EQ(first.shortcut->name, "layer" + std::to_string(s + 1) + ".0.downsample.0");
  }
  // The first stage projects only where the width changes (bottleneck: 64 -> 256).
  EXPECT_EQ(net.stages[0][0].shortcut.has_value(), d.kind == BlockKind::bottleneck);
  if (d.kind == BlockKind::bottleneck) {
    const ResidualBlock& b = net.stages[2][0];  // layer3.0 of resnet50: 512 -> 256 -> 256 -> 1024
    EXPECT_EQ(b.convs[0].weight.shape(), (Shape{256, 1, 1, 512}));
    EXPECT_EQ(b.convs[1].weight.shape(), (Shape{256, 3, 3, 256}));
    EXPECT_EQ(b.convs[2].weight.shape(), (Shape{1024, 1, 1, 256}));
    EXPECT_EQ(b.convs[2].name, "layer3.0.conv3");
  }
}

INSTANTIATE_TEST_SUITE_P(AllDepths, ResNetStructure,
                         ::testing::Values(DepthCase{18, {2, 2, 2, 2}, BlockKind::basic, 512, 11689512},
                                           DepthCase{34, {3, 4, 6, 3}, BlockKind::basic, 512, 21797672},
                                           DepthCase{50, {3, 4, 6, 3}, BlockKind::bottleneck, 2048, 25557032},
                                           DepthCase{101, {3, 4, 23, 3}, BlockKind::bottleneck, 2048, 44549160},
                                           DepthCase{152, {3, 8, 36, 3}, BlockKind::bottleneck, 2048, 60192808}),
                         [](const auto& p) { return "resnet" + std::to_string(p.param.depth); });

TEST(ResNetStructure, UnknownDepthsAreErrors) {
  EXPECT_THROW(ResNetSpec::standard(20), Error);
  ResNetSpec spec = ResNetSpec::standard(18);
  spec.blocks_per_stage = {1, 1, 1, 1};
  EXPECT_THROW(build_resnet(spec), Error);
  EXPECT_EQ(resnet_depth(BlockKind::basic, {3, 4, 23, 3}), 0);  // 101 exists only with bottlenecks
}

TEST(FoldBatchnorm, HandWorked) {
  // K = 2, a 1x1 conv over C = 1: w = {2, -1}, conv bias {1, 0};
  // gamma {3, 1}, beta {0.5, 0}, mean {1, 2}, var {3, 0} with eps 1 -> s = {3/2, 1}
  // folded w = {3, -1}; folded b = {(1 - 1) * 1.5 + 0.5, (0 - 2) * 1 + 0} = {0.5, -2}
  ConvUnit u;
  u.name = "hand";
  u.in_channels = 1, u.out_channels = 2;
  u.weight = Tensor::from_vector(std::vector<float>{2, -1}, {2, 1, 1, 1});
  u.bias = Tensor::from_vector(std::vector<float>{1, 0}, {2});
  u.bn.gamma = Tensor::from_vector(std::vector<float>{3, 1}, {2});
  u.bn.beta = Tensor::from_vector(std::vector<float>{0.5f, 0}, {2});
  u.bn.running_mean = Tensor::from_vector(std::vector<float>{1, 2}, {2});
  u.bn.running_var = Tensor::from_vector(std::vector<float>{3, 0}, {2});
  u.bn.eps = 1.0f;
  fold_batchnorm(u);
  EXPECT_EQ(u.folded_weight.to_vector<float>(), (std::vector<float>{3, -1}));
  EXPECT_EQ(u.folded_bias.to_vector<float>(), (std::vector<float>{0.5f, -2}));
  u.bias = Tensor();  // torchvision: no conv bias
  fold_batchnorm(u);
  EXPECT_EQ(u.folded_bias.to_vector<float>(), (std::vector<float>{-1.5f + 0.5f, -2}));
}

}  // namespace
}  // namespace tl
