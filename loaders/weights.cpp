// Layout detection and dispatch for pretrained ResNet weights.
#include "loaders/weights.h"

namespace tl {

SourceLayout detect_weights_layout(const Hdf5File& file) {
  if (file.has_attribute("/", "source")) {
    const std::string source = file.read_string_attribute("/", "source");
    if (source == "torchvision") return SourceLayout::torchvision;
    if (source == "keras") return SourceLayout::keras;
    TL_FAIL("file '" << file.path() << "': root attribute source='" << source
                     << "' names no known layout (expected torchvision or keras)");
  }
  if (file.has_attribute("/", "layer_names") || file.is_group("/model_weights")) return SourceLayout::keras;
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
