// Fuzzes the IDX reader (loaders/idx_file.h), plain and gzip-compressed: the header checks
// against the file size, overflow-free sizes, truncated and over-long data, corrupt gzip. The
// input is an in-memory file (memfd). Seeds: tests/fuzz/corpus/idx.
#include "fuzz_common.h"
#include "loaders/idx_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tl::fuzz::use_fuzz_limits();
  const tl::fuzz::MemoryFile file(data, size);
  try {
    (void)tl::read_idx(file.path());
  } catch (const tl::Error&) {
  }
  return 0;
}
