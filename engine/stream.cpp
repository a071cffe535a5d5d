#include "engine/stream.h"

#include <mutex>
#include <vector>

#include "kernels/common/error.h"

#if TL_HAS_CUDA
#include "kernels/cuda/cuda_check.h"
#endif

namespace tl {

StreamHandle stream_for(const Device& device) {
  TL_CHECK(device.is_cuda(), "stream_for: " << device << " has no stream");
  require_device(device, "stream_for");
#if TL_HAS_CUDA
  static std::mutex mutex;
  static std::vector<cudaStream_t> streams;  // never destroyed: they live as long as the process
  std::lock_guard lock(mutex);
  if (streams.size() <= static_cast<size_t>(device.index)) streams.resize(device.index + 1, nullptr);
  cudaStream_t& stream = streams[device.index];
  if (stream == nullptr) {
    int previous = 0;
    TL_CUDA_CHECK(cudaGetDevice(&previous));
    TL_CUDA_CHECK(cudaSetDevice(device.index));
    TL_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    TL_CUDA_CHECK(cudaSetDevice(previous));
  }
  return stream;
#else
  return nullptr;
#endif
}

void synchronize(const Device& device) {
  if (device.is_cpu()) return;
#if TL_HAS_CUDA
  TL_CUDA_CHECK(cudaStreamSynchronize(stream_for(device)));
#endif
}

}  // namespace tl
