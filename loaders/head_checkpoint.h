// Head checkpoints: a trained head saved to HDF5 with everything needed to use it again, and
// to refuse using it with the wrong backbone.
//
// File layout (readable with h5py):
//   /                  attributes format = "tl-head-checkpoint", format_version = 1,
//                      head_kind ("linear" | "mlp"), in_features, hidden (0 for linear), num_classes, dropout,
//                      backbone_architecture, backbone_weights_hash ("xxh64:..."),
//                      backbone_weights_file (the file name it was trained with, for messages),
//                      backbone_features (the pooled stages the head reads, e.g. "layer4" or
//                      "layer2+layer3+layer4"; absent in older files = "layer4")
//   /head/<name>       f32 parameters named as nn.Sequential's state_dict: 0.weight (O, I), 0.bias,
//                      and 3.weight, 3.bias for the MLP
//   /class_names       string dataset (num_classes)
//   /preprocessing     group: attributes preset, bgr, scale; f32 datasets mean (3), std (3)
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/head.h"
#include "engine/preprocessing.h"
#include "loaders/hdf5_file.h"

namespace tl {

// What a backbone is: the architecture and the content hash of its weights file.
struct BackboneIdentity {
  std::string architecture;  // e.g. "resnet50"
  std::string weights_hash;  // file_content_hash() of the weights file
  std::string weights_file;  // path or name, informative only (messages)

  // Hashes the weights file (loaders/file_hash.h).
  static BackboneIdentity of_weights_file(const std::string& path, const std::string& architecture);
  bool same_backbone(const BackboneIdentity& other) const {
    return architecture == other.architecture && weights_hash == other.weights_hash;
  }
  std::string describe() const;  // "resnet50 (weights 'r50.h5', xxh64:...)"
};

struct HeadCheckpoint {
  HeadConfig config;
  std::vector<std::pair<std::string, Tensor>> parameters;  // name -> value, as Head::parameters()
  std::vector<std::string> class_names;                    // num_classes entries
  BackboneIdentity backbone;
  Preprocessing preprocessing;
  std::vector<int> pooled_stages{4};  // the backbone features the head reads (engine/resnet_forward.h)

  std::unique_ptr<Head> make_head() const;  // a head with these parameters
  // Throws a tl::Error naming both backbones unless `loaded` is the one this head was trained on.
  void require_backbone(const BackboneIdentity& loaded) const;
};

// Written atomically (loaders/atomic_write.h): an interrupted save leaves the old file intact.
void save_head_checkpoint(const std::string& path, Head& head, const std::vector<std::string>& class_names,
                          const BackboneIdentity& backbone, const Preprocessing& preprocessing,
                          const std::vector<int>& pooled_stages = {4});

// Reads and validates a checkpoint; anything missing, mis-shaped or of the wrong type is a
// tl::Error naming the file and the object.
HeadCheckpoint load_head_checkpoint(const std::string& path);
HeadCheckpoint load_head_checkpoint(const Hdf5File& file);  // an open file (e.g. an in-memory image)

}  // namespace tl
