// Fuzzes the pretrained-weights loader, both layouts (torchvision state_dict and Keras legacy
// .h5): layout detection, the structure readers, the shape checks against the architecture
// the file describes, the limits, BN folding. The input is opened as an in-memory HDF5 file
// image (no disk I/O). Seeds: tests/data/resnet/*.h5 and tests/data/keras/*.h5, copied with
// fixed-length strings (make_fuzz_seeds --fixed-strings, in scripts/fuzz.sh).
// Variable-length strings are refused here, unlike in the real loader (h5py writes them): they
// are read through HDF5's global heap, where HDF5 1.10.8 itself crashes or loops on corrupt
// files (found by this fuzzer; README "Threat model", residual risk). Without them the fuzzer
// tests tl's code rather than rediscovering that library bug.
#include "fuzz_common.h"
#include "loaders/weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tl::fuzz::use_fuzz_limits();
  try {
    const tl::Hdf5File file = tl::Hdf5File::open_image(data, size, "fuzz.h5");
    file.refuse_variable_length_strings();
    const tl::ResNet net = tl::detect_weights_layout(file) == tl::SourceLayout::torchvision
                               ? tl::load_torchvision_weights(file)
                               : tl::load_keras_weights(file);
    (void)net;
  } catch (const tl::Error&) {
  }
  return 0;
}
