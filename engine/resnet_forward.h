// The frozen ResNet forward pass: batchnorm folded into each conv (ConvUnit::folded_*), every
// conv with its bias, shortcut add and ReLU fused. Works for either source layout: where the
// stride sits and whether convs had a bias is already encoded in the ConvUnits.
//
//   x (N, H, W, 3) normalized ─ stem conv 7x7/2 + ReLU ─ "stem" ─ max pool 3x3/2 ─ "maxpool"
//     ─ stage 1 ─ "layer1" ─ ... ─ stage 4 ─ "layer4" ─ global avg pool ─ features (N, C)
//     ─ fc ─ logits (N, classes)                         (block outputs: "layer2.0", ...)
//
// Features from several stages (ForwardOptions::pooled_stages, e.g. {2, 3, 4}): each stage's
// output is globally average-pooled and the results are concatenated, (N, C2 + C3 + C4). The
// last stage is specialised to the source classes; earlier ones hold more generic mid-level
// features, which transfer better to classes the backbone never saw (see docs/DEMO.md).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/ops.h"
#include "engine/resnet.h"

namespace tl {

struct ForwardOptions {
  // Activations to return by name: "stem", "maxpool", "layer1".."layer4", or one block's
  // output "layer<s>.<b>" (s from 1, b from 0). All (N, H, W, C). Unknown names: tl::Error.
  std::vector<std::string> capture;
  bool logits = true;  // the original head's logits, when the net has one and pooled_stages is {4}
  // Stages (1..4, increasing) whose globally average-pooled outputs form `features`, side by side.
  std::vector<int> pooled_stages{4};
  // CUDA only (the CPU path is always fp32 with the reference kernels).
  Precision precision = Precision::fp32;
  KernelLib lib = KernelLib::ours;  // ours, or cuDNN/cuBLAS
};

struct ForwardResult {
  Tensor features;                        // (N, C) after global average pooling (C: pooled_feature_dim)
  Tensor logits;                          // (N, classes), or undefined (no head or not asked)
  std::map<std::string, Tensor> activations;  // the captured ones, (N, H, W, C)
};

// The width of the features of `stages`: the sum of those stages' output channels. Checks the
// list: non-empty, increasing, each in 1..4 (else a tl::Error naming it).
int64_t pooled_feature_dim(const ResNet& net, const std::vector<int>& stages);
// "layer4", "layer2+layer3+layer4"; and back (also accepts "2,3,4"). Bad text: tl::Error.
std::string pooled_stages_name(const std::vector<int>& stages);
std::vector<int> parse_pooled_stages(const std::string& text);

// x: (N, H, W, 3) f32, already normalized with net.preprocessing.
ForwardResult forward(const ResNet& net, const Tensor& x, const ForwardOptions& options = {});

// One residual block: y = ReLU(convs(x) + shortcut(x)), folded weights. x: (N, H, W, C_in).
Tensor forward_block(const ResidualBlock& block, const Tensor& x, const ForwardOptions& options = {});

// One folded conv unit with optional residual and ReLU.
Tensor forward_conv(const ConvUnit& unit, const Tensor& x, bool relu, const Tensor& residual = Tensor(),
                    const ForwardOptions& options = {});

}  // namespace tl
