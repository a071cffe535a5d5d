// What the layer and weight names of a Keras ResNet mean, in both published generations:
//
//   generation       keras.applications.resnet (Keras >= 2.2.5,  keras_applications resnet50.py
//                    tf.keras): "current"                        (<= 2.2.4): "legacy"
//   stem conv / BN   conv1_conv / conv1_bn                       conv1 / bn_conv1
//   block conv i     conv<S>_block<B>_<i>_conv, i = 1, 2, 3      res<S><b>_branch2a, 2b, 2c
//   block BN i       conv<S>_block<B>_<i>_bn                     bn<S><b>_branch2a, 2b, 2c
//   shortcut         conv<S>_block<B>_0_conv / _0_bn             res<S><b>_branch1 / bn<S><b>_branch1
//   head             predictions                                 fc1000
//   BN epsilon       1.001e-5 (set in resnet.py)                 1e-3 (Keras' default)
//
// S = 2..5 is the stage (tl's stage 0..3), B = 1, 2, ... the block; legacy blocks are letters
// a, b, c, ... or, in the Caffe-converted ResNet-101/152 naming, a, b1, b2, ... . Both
// generations are v1 ResNets with a stride-2 first 1x1 conv and shortcut, conv biases, and the
// Caffe preprocessing (BGR, ImageNet mean subtracted).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tl {

enum class KerasNaming { current, legacy };

// "keras.applications.resnet (conv1_conv, conv2_block1_1_conv, ...)" / "keras_applications resnet50 (conv1,
// res2a_branch2a, ...)"
const char* keras_naming_description(KerasNaming naming);
float keras_bn_epsilon(KerasNaming naming);  // 1.001e-5 | 1e-3

// The generation from the names of the layers that carry weights; a tl::Error (listing a few
// of the names) when neither fits or when it is a ResNet V2 (pre-activation), which tl does
// not load.
KerasNaming detect_keras_naming(const std::vector<std::string>& weighted_layers, const std::string& file);

enum class KerasLayerKind { stem_conv, stem_bn, block_conv, block_bn, head };

struct KerasLayerRole {
  KerasLayerKind kind;
  int stage = -1;  // 0..3 for block layers
  int block = -1;  // 0, 1, ... within the stage
  int conv = -1;   // 0, 1, 2: the main branch's convs; 3: the shortcut
  bool operator<(const KerasLayerRole& o) const;
};

// The role of a layer name in `naming`, or nothing when the name is not a ResNet layer.
std::optional<KerasLayerRole> parse_keras_layer(KerasNaming naming, const std::string& layer);

// The name a role has in `naming` (legacy blocks as letters), for error messages.
std::string keras_layer_name(KerasNaming naming, const KerasLayerRole& role);

enum class KerasWeightRole { kernel, bias, gamma, beta, moving_mean, moving_variance };
const char* keras_weight_role_name(KerasWeightRole role);

// The role of a weight from its name: "conv1_conv/kernel:0", "bn_conv1/moving_variance:0", or
// Keras 1's "conv1_W", "bn_conv1_running_std" (which held the variance, despite its name).
std::optional<KerasWeightRole> parse_keras_weight(const std::string& weight_name);

}  // namespace tl
