// Pretrained ResNet weights from HDF5: one entry point that detects the file's layout and
// returns the canonical ResNet (engine/resnet.h), BN folded, ready for engine/resnet_forward.h.
//
//   ResNet net = load_resnet_weights("resnet50.h5");
//
// Layouts:
//   torchvision: one float32 dataset per state_dict key ("conv1.weight", "layer1.0.bn1.running_var",
//                ...) and root attribute source="torchvision" (loaders/weights_torchvision.cpp)
//   keras:       Keras legacy .h5 (root attribute layer_names, or a model_weights group)
//                (loaders/weights_keras.cpp)
// Every error is a tl::Error naming the file, the dataset and what was expected.
#pragma once

#include <string>
#include <vector>

#include "engine/resnet.h"
#include "loaders/hdf5_file.h"

namespace tl {

ResNet load_resnet_weights(const std::string& path);

// Which layout a file holds; a tl::Error naming what was found when it is neither.
SourceLayout detect_weights_layout(const Hdf5File& file);

// The per-layout loaders (file already open). Each returns a folded, checked ResNet.
ResNet load_torchvision_weights(const Hdf5File& file);
ResNet load_keras_weights(const Hdf5File& file);

// A dataset shape as PyTorch prints it ("(64, 3, 7, 7)", "(10,)"), for error messages.
std::string shape_str(const std::vector<int64_t>& shape);

}  // namespace tl
