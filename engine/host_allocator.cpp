#include "engine/host_allocator.h"

#include <cstdlib>

#include "kernels/common/error.h"

namespace tl {

void* host_allocate(size_t bytes) {
  if (bytes == 0) bytes = 1;  // a valid, unique pointer for empty tensors
  const size_t rounded = (bytes + kHostAlignment - 1) / kHostAlignment * kHostAlignment;
  TL_CHECK(rounded >= bytes, "host allocation of " << bytes << " bytes overflows");
  void* ptr = std::aligned_alloc(kHostAlignment, rounded);
  TL_CHECK(ptr != nullptr, "out of host memory allocating " << bytes << " bytes");
  return ptr;
}

void host_free(void* ptr) noexcept { std::free(ptr); }

}  // namespace tl
