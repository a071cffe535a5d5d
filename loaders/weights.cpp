// Layout detection and dispatch for pretrained ResNet weights.
#include "loaders/weights.h"

#include "loaders/keras_h5.h"

#include <sstream>

namespace tl {

std::string shape_str(const std::vector<int64_t>& shape) {
  std::ostringstream out;
  out << "(";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << (shape.size() == 1 ? ",)" : ")");
  return out.str();
}


SourceLayout detect_weights_layout(const Hdf5File& file) {
  if (file.has_attribute("/", "source")) {
    const std::string source = file.read_string_attribute("/", "source");
    if (source == "torchvision") return SourceLayout::torchvision;
    if (source == "keras") return SourceLayout::keras;
    TL_FAIL("file '" << file.path() << "': root attribute source='" << source
                     << "' names no known layout (expected torchvision or keras)");
  }
  if (is_keras_weights_file(file) || file.is_group("/model_weights")) return SourceLayout::keras;  // layer_names maybe chunked
  if (file.exists("conv1.weight")) return SourceLayout::torchvision;
  const std::vector<std::string> top = file.children("/");
  std::string found;
  for (size_t i = 0; i < top.size() && i < 5; ++i) found += (i ? ", " : "") + ("'" + top[i] + "'");
  TL_FAIL("file '" << file.path() << "': not a ResNet weights file of a known layout (expected a torchvision "
                   << "state_dict with dataset 'conv1.weight', or a Keras .h5 with root attribute 'layer_names' "
                   << "or group 'model_weights'); top-level objects: " << (found.empty() ? "none" : found));
}

ResNet load_resnet_weights(const std::string& path) {
  const Hdf5File file = Hdf5File::open_read(path);
  ResNet net = detect_weights_layout(file) == SourceLayout::torchvision ? load_torchvision_weights(file)
                                                                         : load_keras_weights(file);
  net.file_path = path;
  return net;
}

}  // namespace tl
