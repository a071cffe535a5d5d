// The Keras legacy HDF5 weights layout, as keras.Model.save_weights('x.h5') and
// keras.Model.save('x.h5') write it (and as the published keras.applications files are):
//
//   /                           attrs: layer_names = [layer, ...], backend, keras_version
//   /<layer>                    attrs: weight_names = ["<layer>/kernel:0", "<layer>/bias:0"]
//   /<layer>/<weight name>      the arrays, Keras shapes (conv kernels HWIO: (R, S, C, K))
//
// A whole-model file puts all of that under /model_weights (and keeps model_config, a JSON
// string, as a root attribute). An attribute over 64 KB is split by Keras into NAME0, NAME1,
// ... with no NAME. Weight names carry ':0' in TF 2 Keras and may lack it elsewhere; the
// dataset is found by the name as written, else with ':0' added or removed.
// This file only reads that structure; what the layers mean is loaders/keras_resnet_names.h.
#pragma once

#include <string>
#include <vector>

#include "loaders/hdf5_file.h"

namespace tl {

struct KerasWeight {
  std::string name;     // as in weight_names, e.g. "conv1_conv/kernel:0"
  std::string dataset;  // absolute path of its dataset, e.g. "/conv1_conv/conv1_conv/kernel:0"
};

struct KerasLayer {
  std::string name;                  // as in layer_names
  std::vector<KerasWeight> weights;  // in weight_names order (empty for ReLU, padding, ...)
};

struct KerasWeightsFile {
  std::string root;                // "/" or "/model_weights"
  std::vector<KerasLayer> layers;  // in layer_names order
};

// True when `group` has a Keras string-list attribute `name`, whole or chunked (name0, ...).
bool has_keras_name_list(const Hdf5File& file, const std::string& group, const std::string& name);

// A Keras string-list attribute, whole (`name`) or chunked (`name0`, `name1`, ...),
// fixed- or variable-length strings. Absent: tl::Error naming the file, group and attribute.
std::vector<std::string> read_keras_name_list(const Hdf5File& file, const std::string& group,
                                              const std::string& name);

// True when the file looks like a Keras legacy weights or whole-model file.
bool is_keras_weights_file(const Hdf5File& file);

// Reads layer_names and every layer's weight_names and resolves each weight's dataset.
// A listed layer without a group, a group without weight_names or a named weight without a
// dataset is a tl::Error naming the file, the layer and the weight.
KerasWeightsFile read_keras_weights_file(const Hdf5File& file);

}  // namespace tl
