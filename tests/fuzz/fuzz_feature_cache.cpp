// Fuzzes the feature-cache reader (loaders/feature_cache.h): format and key attributes, then
// features, labels, names and class names with their cross-checks. Loaded with the key of the
// seeds for 1 and 2 views (so mutated seeds reach the arrays) and once with another key (the
// stale path). The input is opened as an in-memory HDF5 file image. Seeds:
// tests/fuzz/corpus/feature_cache (written by make_fuzz_seeds).
#include "fuzz_cache_key.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tl::fuzz::use_fuzz_limits();
  for (int64_t views : {1, 2, 3}) {
    try {
      tl::FeatureCacheKey key = tl::fuzz::fuzz_cache_key(views == 3 ? 1 : views);
      if (views == 3) key.image_size = 33;
      std::string why_not;
      const auto set = tl::load_feature_cache(tl::Hdf5File::open_image(data, size, "fuzz.h5"), key, &why_not);
      if (set && set->views > 0) (void)set->view(set->views - 1);
    } catch (const tl::Error&) {
    }
  }
  return 0;
}
