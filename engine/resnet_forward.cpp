#include "engine/resnet_forward.h"

#include <algorithm>
#include <set>

#include "engine/ops.h"

namespace tl {
namespace {

std::set<std::string> capturable_names(const ResNet& net) {
  std::set<std::string> names{"stem", "maxpool"};
  for (size_t s = 0; s < net.stages.size(); ++s) {
    names.insert("layer" + std::to_string(s + 1));
    for (size_t b = 0; b < net.stages[s].size(); ++b)
      names.insert("layer" + std::to_string(s + 1) + "." + std::to_string(b));
  }
  return names;
}

}  // namespace

Tensor forward_conv(const ConvUnit& unit, const Tensor& x, bool relu, const Tensor& residual) {
  TL_CHECK(unit.folded_weight.defined() && unit.folded_bias.defined(),
           "forward: conv '" << unit.name << "' has no folded weights (call fold_batchnorm)");
  Conv2dOptions o;
  o.stride = unit.stride;
  o.padding = unit.padding;
  o.relu = relu;
  return conv2d(x, unit.folded_weight, unit.folded_bias, o, residual);
}

Tensor forward_block(const ResidualBlock& block, const Tensor& x) {
  const Tensor shortcut = block.shortcut ? forward_conv(*block.shortcut, x, /*relu=*/false) : x;
  Tensor y = x;
  for (size_t i = 0; i + 1 < block.convs.size(); ++i) y = forward_conv(block.convs[i], y, /*relu=*/true);
  return forward_conv(block.convs.back(), y, /*relu=*/true, shortcut);  // ReLU(conv + shortcut)
}

ForwardResult forward(const ResNet& net, const Tensor& x, const ForwardOptions& options) {
  TL_CHECK(x.defined() && x.rank() == 4 && x.dim(3) == 3 && x.dtype() == DType::f32,
           "forward: input must be f32 (N, H, W, 3), got " << (x.defined() ? x.summary(0) : "undefined"));
  TL_CHECK(net.stages.size() == 4, "forward: the network has " << net.stages.size() << " stages, expected 4");
  const std::set<std::string> known = capturable_names(net);
  for (const std::string& name : options.capture)
    TL_CHECK(known.count(name), "forward: unknown activation '" << name
                                    << "' (expected stem, maxpool, layer1..layer4 or layer<s>.<b>)");
  ForwardResult result;
  auto keep = [&](const std::string& name, const Tensor& t) {
    if (std::find(options.capture.begin(), options.capture.end(), name) != options.capture.end())
      result.activations[name] = t;
  };

  Tensor y = forward_conv(net.stem, x, /*relu=*/true);  // (N, H/2, W/2, stem width)
  keep("stem", y);
  y = max_pool2d(y, net.maxpool_kernel, net.maxpool_stride, net.maxpool_padding);
  keep("maxpool", y);
  for (size_t s = 0; s < net.stages.size(); ++s) {
    const std::string stage = "layer" + std::to_string(s + 1);
    for (size_t b = 0; b < net.stages[s].size(); ++b) {
      y = forward_block(net.stages[s][b], y);
      keep(stage + "." + std::to_string(b), y);
    }
    keep(stage, y);
  }
  result.features = global_avg_pool(y);  // (N, C)
  if (options.logits && net.fc_weight.defined()) result.logits = linear(result.features, net.fc_weight, net.fc_bias);
  return result;
}

}  // namespace tl
