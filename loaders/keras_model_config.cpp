#include "loaders/keras_model_config.h"

#include <nlohmann/json.hpp>

#include "kernels/common/error.h"

namespace tl {

std::map<std::string, float> keras_batchnorm_epsilons(const Hdf5File& file) {
  std::map<std::string, float> eps;
  if (!file.has_attribute("/", "model_config")) return eps;
  const std::string text = file.read_string_attribute("/", "model_config");
  try {
    const nlohmann::json config = nlohmann::json::parse(text);
    // Functional and (Keras >= 2.4) Sequential models: config.layers; older Sequential: config is the list.
    const nlohmann::json& inner = config.at("config");
    const nlohmann::json& layers = inner.is_array() ? inner : inner.at("layers");
    for (const nlohmann::json& layer : layers) {
      if (layer.value("class_name", "") != "BatchNormalization") continue;
      const nlohmann::json& c = layer.at("config");
      eps[c.at("name").get<std::string>()] = c.at("epsilon").get<float>();
    }
  } catch (const nlohmann::json::exception& e) {
    TL_FAIL("file '" << file.path() << "': root attribute model_config is not the JSON of a Keras model ("
                     << e.what() << ")");
  }
  return eps;
}

}  // namespace tl
