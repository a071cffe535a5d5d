#include "loaders/keras_h5.h"

#include "kernels/common/error.h"
#include "loaders/limits.h"

namespace tl {
namespace {

std::string join(const std::string& group, const std::string& child) {
  std::string path = group;
  if (path.back() != '/') path += '/';
  return path += child;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One attribute's strings; Keras writes an empty list as an empty float array (numpy's
// default dtype for []), so any empty attribute is an empty list.
std::vector<std::string> read_names(const Hdf5File& file, const std::string& group, const std::string& name) {
  const DatasetInfo info = file.attribute_info(group, name);
  if (!info.shape.empty() && info.shape[0] == 0) return {};
  return file.read_string_list_attribute(group, name);
}

}  // namespace

bool has_keras_name_list(const Hdf5File& file, const std::string& group, const std::string& name) {
  return file.has_attribute(group, name) || file.has_attribute(group, name + "0");
}

std::vector<std::string> read_keras_name_list(const Hdf5File& file, const std::string& group,
                                              const std::string& name) {
  if (file.has_attribute(group, name)) return read_names(file, group, name);
  TL_CHECK(file.has_attribute(group, name + "0"),
           "file '" << file.path() << "', group '" << group << "': has no attribute '" << name
                    << "' (nor chunks '" << name << "0', '" << name << "1', ...)");
  std::vector<std::string> all;
  for (int chunk = 0; file.has_attribute(group, name + std::to_string(chunk)); ++chunk) {
    const std::vector<std::string> part = read_names(file, group, name + std::to_string(chunk));
    all.insert(all.end(), part.begin(), part.end());
    TL_CHECK(static_cast<int64_t>(all.size()) <= loader_limits().max_string_count,
             "file '" << file.path() << "', group '" << group << "': attribute chunks '" << name
                      << "0', ... hold more than the loader limit max_string_count = "
                      << loader_limits().max_string_count << " names");
  }
  return all;
}

bool is_keras_weights_file(const Hdf5File& file) {
  return has_keras_name_list(file, "/", "layer_names") ||
         (file.is_group("/model_weights") && has_keras_name_list(file, "/model_weights", "layer_names"));
}

KerasWeightsFile read_keras_weights_file(const Hdf5File& file) {
  KerasWeightsFile out;
  if (has_keras_name_list(file, "/", "layer_names")) {
    out.root.assign(1, '/');  // (not = "/": GCC 12 warns falsely, -Wrestrict)
  } else if (file.is_group("/model_weights") && has_keras_name_list(file, "/model_weights", "layer_names")) {
    out.root = "/model_weights";
  } else {
    TL_FAIL("file '" << file.path() << "': not a Keras weights file (expected attribute 'layer_names' on the "
                     << "root group or on group 'model_weights')");
  }
  const std::vector<std::string> layer_names = read_keras_name_list(file, out.root, "layer_names");
  TL_CHECK(static_cast<int64_t>(layer_names.size()) <= loader_limits().max_layers,
           "file '" << file.path() << "': " << layer_names.size()
                    << " layers in layer_names exceed the loader limit max_layers = " << loader_limits().max_layers);
  for (const std::string& layer : layer_names) {
    const std::string group = join(out.root, layer);
    TL_CHECK(file.is_group(group), "file '" << file.path() << "': layer '" << layer
                                            << "' is listed in layer_names but has no group '" << group
                                            << "'");
    TL_CHECK(
        has_keras_name_list(file, group, "weight_names"),
        "file '" << file.path() << "', layer '" << layer << "': group '" << group
                 << "' has no attribute 'weight_names' (Keras writes one, empty for layers without weights)");
    KerasLayer entry{layer, {}};
    for (const std::string& weight : read_keras_name_list(file, group, "weight_names")) {
      std::string dataset = join(group, weight);
      if (!file.is_dataset(dataset)) {  // the same name with ':0' added or removed
        const std::string other =
            ends_with(dataset, ":0") ? dataset.substr(0, dataset.size() - 2) : dataset + ":0";
        if (file.is_dataset(other)) dataset = other;
      }
      TL_CHECK(file.is_dataset(dataset), "file '" << file.path() << "', layer '" << layer << "': weight '"
                                                  << weight << "' (listed in weight_names) has no dataset '"
                                                  << dataset << "'");
      entry.weights.push_back({weight, dataset});
    }
    out.layers.push_back(std::move(entry));
  }
  return out;
}

}  // namespace tl
