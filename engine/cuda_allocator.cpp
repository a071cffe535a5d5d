#include "engine/cuda_allocator.h"

#include <deque>

#include "engine/device.h"
#include "kernels/common/error.h"

#if TL_HAS_CUDA
#include "kernels/cuda/cuda_check.h"
#endif

namespace tl {
namespace {

constexpr size_t kGranularity = 512;  // rounding of requests; also cudaMalloc's alignment

}  // namespace

CudaCachingAllocator& CudaCachingAllocator::for_device(int index) {
  static std::mutex mutex;
  static std::deque<CudaCachingAllocator> allocators;  // deque: stable addresses
  std::lock_guard lock(mutex);
  while (static_cast<int>(allocators.size()) <= index) allocators.emplace_back(static_cast<int>(allocators.size()));
  return allocators[static_cast<size_t>(index)];
}

void* CudaCachingAllocator::allocate(size_t bytes) {
#if TL_HAS_CUDA
  const size_t rounded = (std::max<size_t>(bytes, 1) + kGranularity - 1) / kGranularity * kGranularity;
  std::lock_guard lock(mutex_);
  auto it = free_blocks_.lower_bound(rounded);
  if (it != free_blocks_.end() && it->first <= 2 * rounded) {
    void* ptr = it->second;
    stats_.current_bytes += it->first;
    free_blocks_.erase(it);
    stats_.peak_bytes = std::max(stats_.peak_bytes, stats_.current_bytes);
    return ptr;
  }
  ScopedDevice guard(Device::cuda(device_));
  void* ptr = nullptr;
  cudaError_t err = cudaMalloc(&ptr, rounded);
  if (err == cudaErrorMemoryAllocation) {  // give the cache back and try once more
    cudaGetLastError();
    for (auto& [size, block] : free_blocks_) {
      TL_CUDA_CHECK(cudaFree(block));
      block_sizes_.erase(block);
      stats_.reserved_bytes -= size;
    }
    free_blocks_.clear();
    err = cudaMalloc(&ptr, rounded);
  }
  TL_CHECK(err == cudaSuccess, "cudaMalloc of " << bytes << " bytes on cuda:" << device_ << " failed: "
                                                << cudaGetErrorString(err) << " (in use "
                                                << stats_.current_bytes << " bytes)");
  block_sizes_[ptr] = rounded;
  stats_.current_bytes += rounded;
  stats_.reserved_bytes += rounded;
  stats_.peak_bytes = std::max(stats_.peak_bytes, stats_.current_bytes);
  return ptr;
#else
  TL_FAIL("CUDA allocation of " << bytes << " bytes requested, but tl was built without CUDA");
#endif
}

void CudaCachingAllocator::release(void* ptr) noexcept {
  if (ptr == nullptr) return;
  std::lock_guard lock(mutex_);
  auto it = block_sizes_.find(ptr);
  if (it == block_sizes_.end()) return;  // not ours: nothing sane to do in a noexcept path
  stats_.current_bytes -= it->second;
  free_blocks_.emplace(it->second, ptr);
}

void CudaCachingAllocator::empty_cache() {
#if TL_HAS_CUDA
  std::lock_guard lock(mutex_);
  ScopedDevice guard(Device::cuda(device_));
  for (auto& [size, block] : free_blocks_) {
    TL_CUDA_CHECK(cudaFree(block));
    block_sizes_.erase(block);
    stats_.reserved_bytes -= size;
  }
  free_blocks_.clear();
#endif
}

MemoryStats CudaCachingAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CudaCachingAllocator::reset_peak() {
  std::lock_guard lock(mutex_);
  stats_.peak_bytes = stats_.current_bytes;
}

}  // namespace tl
