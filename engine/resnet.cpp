// The canonical ResNet: batchnorm folding, parameter counting, names.
#include "engine/resnet.h"

#include <cmath>

namespace tl {

void fold_batchnorm(ConvUnit& unit) {
  const int64_t K = unit.out_channels;
  TL_CHECK(unit.weight.defined() && unit.weight.rank() == 4 && unit.weight.dim(0) == K,
           "fold_batchnorm: '" << unit.name << "' has no (K, R, S, C) weight with K = " << K);
  const BatchNormParams& bn = unit.bn;
  for (const Tensor* t : {&bn.gamma, &bn.beta, &bn.running_mean, &bn.running_var})
    TL_CHECK(t->defined() && t->rank() == 1 && t->dim(0) == K,
             "fold_batchnorm: '" << unit.name << "' batchnorm parameters must be (" << K << ")");
  const float* gamma = bn.gamma.data<float>();
  const float* beta = bn.beta.data<float>();
  const float* mean = bn.running_mean.data<float>();
  const float* var = bn.running_var.data<float>();
  const float* bias = unit.bias.defined() ? unit.bias.data<float>() : nullptr;
  const float* w = unit.weight.data<float>();
  const int64_t per_k = unit.weight.numel() / K;  // R * S * C

  unit.folded_weight = Tensor::empty(unit.weight.shape(), DType::f32);
  unit.folded_bias = Tensor::empty({K}, DType::f32);
  float* fw = unit.folded_weight.data<float>();
  float* fb = unit.folded_bias.data<float>();
  for (int64_t k = 0; k < K; ++k) {
    // float64 so that folding adds no rounding beyond the final store.
    const double scale = static_cast<double>(gamma[k]) / std::sqrt(static_cast<double>(var[k]) + bn.eps);
    for (int64_t i = 0; i < per_k; ++i) fw[k * per_k + i] = static_cast<float>(w[k * per_k + i] * scale);
    const double b = bias ? bias[k] : 0.0;
    fb[k] = static_cast<float>((b - mean[k]) * scale + beta[k]);
  }
}

std::vector<const ConvUnit*> conv_units(const ResNet& net) {
  std::vector<const ConvUnit*> units{&net.stem};
  for (const auto& stage : net.stages)
    for (const ResidualBlock& block : stage) {
      for (const ConvUnit& c : block.convs) units.push_back(&c);
      if (block.shortcut) units.push_back(&*block.shortcut);
    }
  return units;
}

std::vector<ConvUnit*> conv_units(ResNet& net) {
  std::vector<ConvUnit*> units;
  for (const ConvUnit* c : conv_units(static_cast<const ResNet&>(net))) units.push_back(const_cast<ConvUnit*>(c));
  return units;
}

void fold_all_batchnorms(ResNet& net) {
  for (ConvUnit* unit : conv_units(net)) fold_batchnorm(*unit);
}

int64_t ResNet::parameter_count() const {
  auto count = [](const Tensor& t) { return t.defined() ? t.numel() : int64_t{0}; };
  int64_t total = count(fc_weight) + count(fc_bias);
  for (const ConvUnit* c : conv_units(*this))
    total += count(c->weight) + count(c->bias) + count(c->bn.gamma) + count(c->bn.beta);
  return total;
}

int resnet_depth(BlockKind block, const std::array<int, 4>& b) {
  using A = std::array<int, 4>;
  if (block == BlockKind::basic) {
    if (b == A{2, 2, 2, 2}) return 18;
    if (b == A{3, 4, 6, 3}) return 34;
  } else {
    if (b == A{3, 4, 6, 3}) return 50;
    if (b == A{3, 4, 23, 3}) return 101;
    if (b == A{3, 8, 36, 3}) return 152;
  }
  return 0;
}

const char* source_layout_name(SourceLayout source) {
  return source == SourceLayout::torchvision ? "torchvision" : "keras";
}

const char* block_kind_name(BlockKind block) { return block == BlockKind::basic ? "basic" : "bottleneck"; }

const char* stride_at_name(StrideAt at) {
  return at == StrideAt::conv3x3 ? "3x3 conv (v1.5)" : "first 1x1 conv (v1)";
}

}  // namespace tl
