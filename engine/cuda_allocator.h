// CudaCachingAllocator: device memory that is reused instead of returned to the driver.
//
// cudaMalloc/cudaFree are slow and synchronise the device, so freed blocks are kept in a
// size-ordered free list and handed out again for requests of similar size (a block may be
// at most twice the request). All of tl's work on a device is ordered on that device's one
// stream, so a block freed on the host and reused by a later kernel is safe: the later
// kernel runs after every earlier user. When cudaMalloc runs out of memory, the cache is
// released and the allocation retried once.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <unordered_map>

namespace tl {

struct MemoryStats {
  size_t current_bytes = 0;   // in use by tensors now
  size_t peak_bytes = 0;      // the most ever in use at once
  size_t reserved_bytes = 0;  // held from the driver (in use + cached)
};

class CudaCachingAllocator {
 public:
  // The allocator of CUDA device `index` (created on first use, lives until exit).
  static CudaCachingAllocator& for_device(int index);

  void* allocate(size_t bytes);
  void release(void* ptr) noexcept;
  void empty_cache();  // returns every cached (unused) block to the driver
  MemoryStats stats() const;
  void reset_peak();

  explicit CudaCachingAllocator(int device) : device_(device) {}

 private:
  int device_;
  mutable std::mutex mutex_;
  std::multimap<size_t, void*> free_blocks_;       // size -> block
  std::unordered_map<void*, size_t> block_sizes_;  // every block we hold, in use or cached
  MemoryStats stats_;
};

}  // namespace tl
