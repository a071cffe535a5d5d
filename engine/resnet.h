// ResNet: the one canonical description of a pretrained ResNet and its weights, whatever
// file it came from (torchvision state_dict export or Keras applications .h5).
//
// Loaders (loaders/weights_*.cpp) fill it; the forward pass (engine/resnet_forward.h) and
// fine-tuning read it. Layout conventions:
//   activations: (N, H, W, C) channels-last
//   conv weights: (K, R, S, C) = (out channels, kernel rows, kernel cols, in channels),
//                 converted at load time from OIHW (torchvision) or HWIO (Keras)
//
// Each convolution is followed by batchnorm in every ResNet; ConvUnit keeps the original
// parameters (for fine-tuning) and the folded ones (for the frozen path):
//   s = gamma / sqrt(var + eps)
//   folded_weight[k] = weight[k] * s[k]
//   folded_bias[k]   = (bias[k] - mean[k]) * s[k] + beta[k]      (bias = 0 when the conv has none)
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "engine/preprocessing.h"
#include "engine/tensor.h"

namespace tl {

enum class SourceLayout { torchvision, keras };
enum class BlockKind { basic, bottleneck };
// Where a downsampling bottleneck puts its stride: torchvision (v1.5) in the 3x3 conv,
// Keras (v1, the original paper) in the first 1x1 conv and the 1x1 shortcut.
enum class StrideAt { conv3x3, first_1x1 };

struct BatchNormParams {
  Tensor gamma, beta, running_mean, running_var;  // each (K)
  float eps = 1e-5f;
};

struct ConvUnit {
  std::string name;  // as in the source file, e.g. "layer1.0.conv1" or "conv2_block1_1_conv"
  int64_t in_channels = 0, out_channels = 0;
  int kernel = 1, stride = 1, padding = 0;  // square kernel, symmetric zero padding
  Tensor weight;         // (K, R, S, C) f32, as trained
  Tensor bias;           // (K) conv bias, or undefined when the conv has none (torchvision)
  BatchNormParams bn;    // the batchnorm that follows this conv
  Tensor folded_weight;  // (K, R, S, C) f32: BN folded in
  Tensor folded_bias;    // (K) f32: BN folded in
};

struct ResidualBlock {
  std::vector<ConvUnit> convs;      // 2 (basic: 3x3, 3x3) or 3 (bottleneck: 1x1, 3x3, 1x1)
  std::optional<ConvUnit> shortcut; // 1x1 projection when shape changes, else identity
};

struct ResNet {
  SourceLayout source = SourceLayout::torchvision;
  std::string architecture;  // "resnet18" ... "resnet152"
  int depth = 0;             // 18, 34, 50, 101, 152
  BlockKind block = BlockKind::basic;
  StrideAt stride_at = StrideAt::conv3x3;
  std::array<int, 4> blocks_per_stage{};  // e.g. {3, 4, 6, 3} for depth 50
  float bn_eps = 1e-5f;

  ConvUnit stem;               // 7x7 stride 2 pad 3, then ReLU
  int maxpool_kernel = 3, maxpool_stride = 2, maxpool_padding = 1;  // after the stem
  std::vector<std::vector<ResidualBlock>> stages;  // 4 stages

  int64_t feature_dim = 0;  // channels after the last stage (512 basic, 2048 bottleneck at full width)
  int64_t num_classes = 0;  // of the original head; 0 when the file has no head
  Tensor fc_weight;         // (num_classes, feature_dim), or undefined
  Tensor fc_bias;           // (num_classes), or undefined
  Preprocessing preprocessing;
  std::string file_path;    // the weights file this came from
  std::vector<std::string> class_names;  // of the original head, when the file names them
  int input_size = 0;       // the training crop size when the file says (e.g. 224), else 0

  int64_t parameter_count() const;  // as the source framework counts (BN gamma/beta included, running stats not)
};

// Fills folded_weight and folded_bias of `unit` from weight, bias and bn (see the header).
void fold_batchnorm(ConvUnit& unit);
// fold_batchnorm on every conv of the network (stem, block convs, shortcuts).
void fold_all_batchnorms(ResNet& net);

// Every conv unit in forward order: stem, then per block its convs and its shortcut.
std::vector<ConvUnit*> conv_units(ResNet& net);
std::vector<const ConvUnit*> conv_units(const ResNet& net);

// The ResNet depth of a block kind and block counts per stage: 18, 34 (basic), 50, 101, 152
// (bottleneck), or 0 when they fit none of these.
int resnet_depth(BlockKind block, const std::array<int, 4>& blocks_per_stage);
const char* block_kind_name(BlockKind block);  // "basic" | "bottleneck"
const char* stride_at_name(StrideAt at);        // "3x3 conv (v1.5)" | "first 1x1 conv (v1)"

const char* source_layout_name(SourceLayout source);  // "torchvision" | "keras"

}  // namespace tl
