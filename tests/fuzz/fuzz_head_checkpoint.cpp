// Fuzzes the head checkpoint reader (loaders/head_checkpoint.h) and building a head from it.
// The input is opened as an in-memory HDF5 file image. Seeds: tests/fuzz/corpus/head_checkpoint
// (written by make_fuzz_seeds).
#include "fuzz_common.h"
#include "loaders/head_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tl::fuzz::use_fuzz_limits();
  try {
    const tl::HeadCheckpoint checkpoint =
        tl::load_head_checkpoint(tl::Hdf5File::open_image(data, size, "fuzz.h5"));
    (void)checkpoint.make_head();
  } catch (const tl::Error&) {
  }
  return 0;
}
