// Building a ResNet skeleton from its structure: the loaders build the skeleton the file
// claims to be and then fill (and check) every tensor; tests and benchmarks build one with
// random weights.
//
//   ResNet net = build_resnet(ResNetSpec::standard(50));   // full-width ResNet-50, uninitialised
//   init_random(net, /*seed=*/1);                           // random weights, BN folded
#pragma once

#include <array>
#include <cstdint>

#include "engine/resnet.h"

namespace tl {

struct ResNetSpec {
  BlockKind block = BlockKind::basic;
  std::array<int, 4> blocks_per_stage{2, 2, 2, 2};
  int64_t stem_width = 64;                             // channels out of the 7x7 stem
  std::array<int64_t, 4> mid_width{64, 128, 256, 512};  // width of each stage's 3x3 convs
  std::array<int64_t, 4> out_width{64, 128, 256, 512};  // channels out of each stage's blocks
  int64_t num_classes = 1000;                           // 0: no fc head
  StrideAt stride_at = StrideAt::conv3x3;
  bool conv_bias = false;  // Keras convs carry a bias, torchvision's do not
  float bn_eps = 1e-5f;

  // torchvision's resnet<depth> with base width `width` (64 in the real nets): stage widths
  // width * {1, 2, 4, 8}, bottleneck outputs 4x that. Unknown depth: tl::Error.
  static ResNetSpec standard(int depth, int64_t width = 64, int64_t num_classes = 1000);
};

// The skeleton: every ConvUnit with its geometry and torchvision-style name ("conv1",
// "layer2.0.conv2", "layer2.0.downsample.0"), every tensor allocated but uninitialised and
// nothing folded. A shortcut projection exists where a block changes stride or width.
ResNet build_resnet(const ResNetSpec& spec);

// Fills every weight with He-normal values, BN with non-trivial statistics (gamma, beta,
// mean, var drawn from fixed ranges), fc likewise, all from `seed`; then folds the BNs.
void init_random(ResNet& net, uint64_t seed);

}  // namespace tl
