// Host memory for tensors: 64-byte aligned (a cache line, and enough for AVX-512 loads).
#pragma once

#include <cstddef>

namespace tl {

constexpr size_t kHostAlignment = 64;

void* host_allocate(size_t bytes);  // throws tl::Error when out of memory
void host_free(void* ptr) noexcept;

}  // namespace tl
