// Fuzzes image decoding (stb_image: JPEG, PNG, BMP; header and completeness checks, pixel
// limit) and the resize/crop path a decoded image takes: the eval transform (resize shorter
// side + center crop) and the training transform (RandomResizedCrop + flip, seeded from the
// input). Seeds: tests/data/images/* and tests/fuzz/corpus/image.
#include "fuzz_common.h"
#include "loaders/image_decode.h"
#include "loaders/image_transform.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tl::fuzz::use_fuzz_limits();
  static const tl::ImageTransform eval = tl::eval_transform(40, 32);
  static const tl::ImageTransform train = tl::train_transform({.size = 24});
  try {
    const tl::Image image = tl::decode_image(data, size, "fuzz");
    const tl::Image a = eval.apply(image, 0);
    const tl::Image b = train.apply(image, size);
    if (a.height != eval.out_height || a.width != eval.out_width || b.height != 24 || b.width != 24)
      std::abort();
  } catch (const tl::Error&) {
  }
  return 0;
}
