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

void check_pooled_stages(const std::vector<int>& stages) {
  TL_CHECK(!stages.empty(), "pooled stages: none given (expected e.g. layer4 or layer2+layer3+layer4)");
  for (size_t i = 0; i < stages.size(); ++i)
    TL_CHECK(stages[i] >= 1 && stages[i] <= 4 && (i == 0 || stages[i] > stages[i - 1]),
             "pooled stages: " << pooled_stages_name(stages) << " is not an increasing list of layer1..layer4");
}

}  // namespace

std::string pooled_stages_name(const std::vector<int>& stages) {
  std::string name;
  for (int s : stages) name += (name.empty() ? "layer" : "+layer") + std::to_string(s);
  return name;
}

std::vector<int> parse_pooled_stages(const std::string& text) {
  std::vector<int> stages;
  std::string item;
  auto flush = [&] {
    std::string digits = item.rfind("layer", 0) == 0 ? item.substr(5) : item;
    TL_CHECK(digits.size() == 1 && digits[0] >= '1' && digits[0] <= '4',
             "feature stages '" << text << "': expected layer1..layer4 joined by '+' (or 1..4 by ','), got '"
                                << item << "'");
    stages.push_back(digits[0] - '0');
    item.clear();
  };
  for (char c : text) {
    if (c == '+' || c == ',') {
      flush();
    } else {
      item += c;
    }
  }
  flush();
  check_pooled_stages(stages);
  return stages;
}

int64_t pooled_feature_dim(const ResNet& net, const std::vector<int>& stages) {
  check_pooled_stages(stages);
  TL_CHECK(net.stages.size() == 4, "pooled_feature_dim: the network has " << net.stages.size() << " stages");
  int64_t dim = 0;
  for (int s : stages) {
    TL_CHECK(!net.stages[s - 1].empty(), "pooled_feature_dim: stage " << s << " has no blocks");
    dim += net.stages[s - 1].back().convs.back().out_channels;
  }
  return dim;
}

Tensor forward_conv(const ConvUnit& unit, const Tensor& x, bool relu, const Tensor& residual,
                    const ForwardOptions& options) {
  TL_CHECK(unit.folded_weight.defined() && unit.folded_bias.defined(),
           "forward: conv '" << unit.name << "' has no folded weights (call fold_batchnorm)");
  Conv2dOptions o;
  o.stride = unit.stride;
  o.padding = unit.padding;
  o.relu = relu;
  o.precision = options.precision;
  o.lib = options.lib;
  if (options.precision == Precision::bf16) o.weight_bf16 = unit.folded_weight_bf16;
  return conv2d(x, unit.folded_weight, unit.folded_bias, o, residual);
}

Tensor forward_block(const ResidualBlock& block, const Tensor& x, const ForwardOptions& options) {
  const Tensor shortcut = block.shortcut ? forward_conv(*block.shortcut, x, /*relu=*/false, Tensor(), options) : x;
  Tensor y = x;
  for (size_t i = 0; i + 1 < block.convs.size(); ++i)
    y = forward_conv(block.convs[i], y, /*relu=*/true, Tensor(), options);
  return forward_conv(block.convs.back(), y, /*relu=*/true, shortcut, options);  // ReLU(conv + shortcut)
}

ForwardResult forward(const ResNet& net, const Tensor& x, const ForwardOptions& options) {
  TL_CHECK(x.defined() && x.rank() == 4 && x.dim(3) == 3 && x.dtype() == DType::f32,
           "forward: input must be f32 (N, H, W, 3), got " << (x.defined() ? x.summary(0) : "undefined"));
  TL_CHECK(net.stages.size() == 4, "forward: the network has " << net.stages.size() << " stages, expected 4");
  check_pooled_stages(options.pooled_stages);
  const std::set<std::string> known = capturable_names(net);
  for (const std::string& name : options.capture)
    TL_CHECK(known.count(name), "forward: unknown activation '" << name
                                    << "' (expected stem, maxpool, layer1..layer4 or layer<s>.<b>)");
  ForwardResult result;
  auto keep = [&](const std::string& name, const Tensor& t) {
    if (std::find(options.capture.begin(), options.capture.end(), name) != options.capture.end())
      result.activations[name] = t;
  };

  Tensor y = forward_conv(net.stem, x, /*relu=*/true, Tensor(), options);  // (N, H/2, W/2, stem width)
  keep("stem", y);
  y = max_pool2d(y, net.maxpool_kernel, net.maxpool_stride, net.maxpool_padding);
  keep("maxpool", y);
  std::vector<Tensor> pooled;  // one (N, C_s) per pooled stage
  for (size_t s = 0; s < net.stages.size(); ++s) {
    const std::string stage = "layer" + std::to_string(s + 1);
    for (size_t b = 0; b < net.stages[s].size(); ++b) {
      y = forward_block(net.stages[s][b], y, options);
      keep(stage + "." + std::to_string(b), y);
    }
    keep(stage, y);
    const auto& p = options.pooled_stages;
    if (std::find(p.begin(), p.end(), static_cast<int>(s + 1)) != p.end()) pooled.push_back(global_avg_pool(y));
  }
  result.features = concat_columns(pooled);  // (N, C): layer4 alone by default
  const bool classic = options.pooled_stages == std::vector<int>{4};  // the fc reads layer4's features
  if (options.logits && classic && net.fc_weight.defined()) result.logits = linear(result.features, net.fc_weight, net.fc_bias, options.lib);
  return result;
}

}  // namespace tl
