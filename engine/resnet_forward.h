// The frozen ResNet forward pass: batchnorm folded into each conv (ConvUnit::folded_*), every
// conv with its bias, shortcut add and ReLU fused. Works for either source layout: where the
// stride sits and whether convs had a bias is already encoded in the ConvUnits.
//
//   x (N, H, W, 3) normalized ─ stem conv 7x7/2 + ReLU ─ "stem" ─ max pool 3x3/2 ─ "maxpool"
//     ─ stage 1 ─ "layer1" ─ ... ─ stage 4 ─ "layer4" ─ global avg pool ─ features (N, C)
//     ─ fc ─ logits (N, classes)                         (block outputs: "layer2.0", ...)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/resnet.h"

namespace tl {

struct ForwardOptions {
  // Activations to return by name: "stem", "maxpool", "layer1".."layer4", or one block's
  // output "layer<s>.<b>" (s from 1, b from 0). All (N, H, W, C). Unknown names: tl::Error.
  std::vector<std::string> capture;
  bool logits = true;  // compute the original head's logits when the net has one
};

struct ForwardResult {
  Tensor features;                        // (N, C) after global average pooling
  Tensor logits;                          // (N, classes), or undefined (no head or not asked)
  std::map<std::string, Tensor> activations;  // the captured ones, (N, H, W, C)
};

// x: (N, H, W, 3) f32, already normalized with net.preprocessing.
ForwardResult forward(const ResNet& net, const Tensor& x, const ForwardOptions& options = {});

// One residual block: y = ReLU(convs(x) + shortcut(x)), folded weights. x: (N, H, W, C_in).
Tensor forward_block(const ResidualBlock& block, const Tensor& x);

// One folded conv unit with optional residual and ReLU.
Tensor forward_conv(const ConvUnit& unit, const Tensor& x, bool relu, const Tensor& residual = Tensor());

}  // namespace tl
