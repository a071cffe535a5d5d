#include "engine/batch_upload.h"

#include <algorithm>
#include <cstring>

#include "engine/stream.h"
#include "kernels/common/error.h"

#if TL_HAS_CUDA
#include <cuda_runtime_api.h>

#include "kernels/cuda/cuda_check.h"
#endif

namespace tl {

#if TL_HAS_CUDA

BatchUploader::BatchUploader(Device device) : device_(device) {
  TL_CHECK(device.is_cuda(), "BatchUploader: uploads go to a CUDA device, got " << device);
  require_device(device, "BatchUploader");
  ScopedDevice scope(device_);
  TL_CUDA_CHECK(cudaStreamCreateWithFlags(&copy_stream_, cudaStreamNonBlocking));
  for (Slot& slot : slots_) {
    TL_CUDA_CHECK(cudaEventCreateWithFlags(&slot.copied, cudaEventDisableTiming));
    TL_CUDA_CHECK(cudaEventCreateWithFlags(&slot.released, cudaEventDisableTiming));
  }
}

BatchUploader::~BatchUploader() {
  // Destructors must not throw: failures here are reported by the next checked call.
  ScopedDevice scope(device_);
  for (Slot& slot : slots_) {
    if (slot.copied != nullptr) cudaEventSynchronize(slot.copied);
    if (slot.released != nullptr) cudaEventSynchronize(slot.released);
    if (slot.pinned != nullptr) cudaFreeHost(slot.pinned);
    if (slot.copied != nullptr) cudaEventDestroy(slot.copied);
    if (slot.released != nullptr) cudaEventDestroy(slot.released);
  }
  if (copy_stream_ != nullptr) {
    cudaStreamSynchronize(copy_stream_);
    cudaStreamDestroy(copy_stream_);
  }
}

void BatchUploader::wait_idle(Slot& slot) {
  if (slot.copy_pending) TL_CUDA_CHECK(cudaEventSynchronize(slot.copied));
  if (slot.release_pending) TL_CUDA_CHECK(cudaEventSynchronize(slot.released));
  slot.copy_pending = slot.release_pending = false;
}

void BatchUploader::fit(Slot& slot, const Tensor& host) {
  const size_t bytes = host.nbytes();
  if (bytes > slot.pinned_bytes) {
    wait_idle(slot);
    if (slot.pinned != nullptr) TL_CUDA_CHECK(cudaFreeHost(slot.pinned));
    slot.pinned = nullptr;
    slot.pinned_bytes = 0;
    TL_CUDA_CHECK(cudaHostAlloc(&slot.pinned, bytes, cudaHostAllocDefault));
    slot.pinned_bytes = bytes;
  }
  // The device buffer holds whole batches of this row shape and dtype: a batch with more rows,
  // another row shape or dtype gets a new one (the old one goes back to the caching allocator
  // once no stream uses it any more).
  const Tensor& d = slot.on_device;
  const bool same_rows = d.defined() && d.dtype() == host.dtype() && d.rank() == host.rank() &&
                         d.dim(0) >= host.dim(0) &&
                         d.shape().numel() / std::max<int64_t>(d.dim(0), 1) ==
                             host.shape().numel() / std::max<int64_t>(host.dim(0), 1);
  if (!same_rows) {
    wait_idle(slot);
    slot.on_device = Tensor::empty(host.shape(), host.dtype(), device_);
    // The caching allocator may hand out a block that queued compute still reads (it is safe
    // for the compute stream, which runs in order, not for the copy stream): the first copy
    // into it waits for everything queued so far.
    TL_CUDA_CHECK(cudaEventRecord(slot.released, stream_for(device_)));
    slot.release_pending = true;
  }
}

Tensor BatchUploader::upload(const Tensor& host) {
  TL_CHECK(host.defined() && host.device().is_cpu(),
           "BatchUploader::upload: expected a CPU tensor, got " << (host.defined() ? host.device() : Device::cpu()));
  TL_CHECK(host.rank() >= 1, "BatchUploader::upload: expected a batch (rank >= 1), got rank " << host.rank());
  TL_CHECK(last_ < 0, "BatchUploader::upload: release() the previous upload first");
  ScopedDevice scope(device_);
  Slot& slot = slots_[next_];
  fit(slot, host);
  // The host may overwrite pinned[s] once the copy of batch i-2 has left it.
  if (slot.copy_pending) TL_CUDA_CHECK(cudaEventSynchronize(slot.copied));
  std::memcpy(slot.pinned, host.raw_data(), host.nbytes());
  // The copy may overwrite device[s] once compute has read batch i-2 from it.
  if (slot.release_pending) TL_CUDA_CHECK(cudaStreamWaitEvent(copy_stream_, slot.released, 0));
  TL_CUDA_CHECK(cudaMemcpyAsync(slot.on_device.raw_data(), slot.pinned, host.nbytes(), cudaMemcpyHostToDevice,
                                copy_stream_));
  TL_CUDA_CHECK(cudaEventRecord(slot.copied, copy_stream_));
  slot.copy_pending = true;
  slot.release_pending = false;
  TL_CUDA_CHECK(cudaStreamWaitEvent(stream_for(device_), slot.copied, 0));
  last_ = next_;
  next_ = 1 - next_;
  const Tensor rows = slot.on_device.slice(0, host.dim(0));
  return rows.shape() == host.shape() ? rows : rows.reshape(host.shape());
}

void BatchUploader::release() {
  TL_CHECK(last_ >= 0, "BatchUploader::release: nothing was uploaded");
  ScopedDevice scope(device_);
  Slot& slot = slots_[last_];
  TL_CUDA_CHECK(cudaEventRecord(slot.released, stream_for(device_)));
  slot.release_pending = true;
  last_ = -1;
}

#else  // built without CUDA

BatchUploader::BatchUploader(Device device) : device_(device) {
  TL_FAIL("BatchUploader: tl was built without CUDA, cannot upload to " << device);
}
BatchUploader::~BatchUploader() = default;
Tensor BatchUploader::upload(const Tensor&) { TL_FAIL("BatchUploader: tl was built without CUDA"); }
void BatchUploader::release() { TL_FAIL("BatchUploader: tl was built without CUDA"); }
void BatchUploader::wait_idle(Slot&) {}
void BatchUploader::fit(Slot&, const Tensor&) {}

#endif

}  // namespace tl
