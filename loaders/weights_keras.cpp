// Keras legacy .h5 ResNet weights: not implemented on this branch yet (issue 3, Keras part).
#include "loaders/weights.h"

namespace tl {

ResNet load_keras_weights(const Hdf5File& file) {
  TL_FAIL("file '" << file.path() << "': Keras layout not supported yet");
}

}  // namespace tl
