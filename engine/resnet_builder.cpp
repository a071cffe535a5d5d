#include "engine/resnet_builder.h"

#include <cmath>
#include <random>
#include <string>

namespace tl {
namespace {

ConvUnit make_unit(const std::string& name, int64_t in, int64_t out, int kernel, int stride, const ResNetSpec& spec) {
  ConvUnit u;
  u.name = name;
  u.in_channels = in;
  u.out_channels = out;
  u.kernel = kernel;
  u.stride = stride;
  u.padding = kernel / 2;  // 7x7 pad 3, 3x3 pad 1, 1x1 pad 0: "same" up to the stride
  u.weight = Tensor::empty({out, kernel, kernel, in}, DType::f32);
  if (spec.conv_bias) u.bias = Tensor::empty({out}, DType::f32);
  u.bn.eps = spec.bn_eps;
  u.bn.gamma = Tensor::empty({out}, DType::f32);
  u.bn.beta = Tensor::empty({out}, DType::f32);
  u.bn.running_mean = Tensor::empty({out}, DType::f32);
  u.bn.running_var = Tensor::empty({out}, DType::f32);
  return u;
}

}  // namespace

ResNetSpec ResNetSpec::standard(int depth, int64_t width, int64_t num_classes) {
  ResNetSpec s;
  switch (depth) {
    case 18: s.block = BlockKind::basic, s.blocks_per_stage = {2, 2, 2, 2}; break;
    case 34: s.block = BlockKind::basic, s.blocks_per_stage = {3, 4, 6, 3}; break;
    case 50: s.block = BlockKind::bottleneck, s.blocks_per_stage = {3, 4, 6, 3}; break;
    case 101: s.block = BlockKind::bottleneck, s.blocks_per_stage = {3, 4, 23, 3}; break;
    case 152: s.block = BlockKind::bottleneck, s.blocks_per_stage = {3, 8, 36, 3}; break;
    default: TL_FAIL("unsupported ResNet depth " << depth << " (expected 18, 34, 50, 101 or 152)");
  }
  TL_CHECK(width > 0 && num_classes >= 0, "ResNetSpec: width must be > 0 and classes >= 0");
  const int64_t expansion = s.block == BlockKind::bottleneck ? 4 : 1;
  s.stem_width = width;
  for (int i = 0; i < 4; ++i) {
    s.mid_width[i] = width << i;
    s.out_width[i] = (width << i) * expansion;
  }
  s.num_classes = num_classes;
  return s;
}

ResNet build_resnet(const ResNetSpec& spec) {
  ResNet net;
  net.depth = resnet_depth(spec.block, spec.blocks_per_stage);
  TL_CHECK(net.depth != 0, "build_resnet: " << block_kind_name(spec.block) << " blocks per stage {"
                                            << spec.blocks_per_stage[0] << ", " << spec.blocks_per_stage[1] << ", "
                                            << spec.blocks_per_stage[2] << ", " << spec.blocks_per_stage[3]
                                            << "} are no known ResNet");
  net.architecture = "resnet" + std::to_string(net.depth);
  net.block = spec.block;
  net.stride_at = spec.stride_at;
  net.blocks_per_stage = spec.blocks_per_stage;
  net.bn_eps = spec.bn_eps;
  net.stem = make_unit("conv1", 3, spec.stem_width, 7, 2, spec);

  int64_t in = spec.stem_width;
  net.stages.resize(4);
  for (int st = 0; st < 4; ++st) {
    const int64_t mid = spec.mid_width[st], out = spec.out_width[st];
    for (int b = 0; b < spec.blocks_per_stage[st]; ++b) {
      const std::string prefix = "layer" + std::to_string(st + 1) + "." + std::to_string(b) + ".";
      const int stride = (b == 0 && st > 0) ? 2 : 1;
      ResidualBlock block;
      if (spec.block == BlockKind::basic) {
        block.convs.push_back(make_unit(prefix + "conv1", in, mid, 3, stride, spec));
        block.convs.push_back(make_unit(prefix + "conv2", mid, out, 3, 1, spec));
      } else {
        const bool v1 = spec.stride_at == StrideAt::first_1x1;
        block.convs.push_back(make_unit(prefix + "conv1", in, mid, 1, v1 ? stride : 1, spec));
        block.convs.push_back(make_unit(prefix + "conv2", mid, mid, 3, v1 ? 1 : stride, spec));
        block.convs.push_back(make_unit(prefix + "conv3", mid, out, 1, 1, spec));
      }
      if (stride != 1 || in != out) block.shortcut = make_unit(prefix + "downsample.0", in, out, 1, stride, spec);
      net.stages[st].push_back(std::move(block));
      in = out;
    }
  }
  net.feature_dim = in;
  net.num_classes = spec.num_classes;
  if (spec.num_classes > 0) {
    net.fc_weight = Tensor::empty({spec.num_classes, in}, DType::f32);
    net.fc_bias = Tensor::empty({spec.num_classes}, DType::f32);
  }
  return net;
}

void init_random(ResNet& net, uint64_t seed) {
  std::mt19937_64 gen(seed);
  auto fill = [&](Tensor& t, auto dist) {
    if (!t.defined()) return;
    float* p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(dist(gen));
  };
  using Uniform = std::uniform_real_distribution<double>;
  for (ConvUnit* u : conv_units(net)) {
    const double fan_in = static_cast<double>(u->kernel * u->kernel * u->in_channels);
    fill(u->weight, std::normal_distribution<double>(0.0, std::sqrt(2.0 / fan_in)));
    fill(u->bias, Uniform(-0.1, 0.1));
    fill(u->bn.gamma, Uniform(0.5, 1.5));
    fill(u->bn.beta, Uniform(-0.2, 0.2));
    fill(u->bn.running_mean, Uniform(-0.2, 0.2));
    fill(u->bn.running_var, Uniform(0.5, 2.0));
  }
  const double bound = net.feature_dim > 0 ? 1.0 / std::sqrt(static_cast<double>(net.feature_dim)) : 1.0;
  fill(net.fc_weight, Uniform(-bound, bound));
  fill(net.fc_bias, Uniform(-bound, bound));
  fold_all_batchnorms(net);
}

}  // namespace tl
