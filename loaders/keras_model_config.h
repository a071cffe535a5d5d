// The model_config of a Keras whole-model .h5 (model.save('x.h5')): a JSON string attribute
// on the root describing every layer. tl reads only what the weights cannot say: each
// BatchNormalization layer's epsilon (a file may have been trained with a non-default one).
#pragma once

#include <map>
#include <string>

#include "loaders/hdf5_file.h"

namespace tl {

// BatchNormalization layer name -> epsilon, from the root attribute model_config; empty when
// the file has none (weights-only files). Unparsable JSON: tl::Error naming the file.
std::map<std::string, float> keras_batchnorm_epsilons(const Hdf5File& file);

}  // namespace tl
