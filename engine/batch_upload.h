// BatchUploader: host batches to the GPU through pinned memory, overlapped with compute.
//
// A decoded batch lives in ordinary (pageable) host memory. Copying from pageable memory
// makes the driver stage it and blocks the host for the whole transfer; a copy from pinned
// (page-locked) memory is a DMA the host only queues. The uploader owns two slots, each a
// pinned host buffer plus a device buffer, and its own copy stream, so that batch i+1 travels
// over PCIe while the device's compute stream still works on batch i:
//
//   upload(batch i), slot s = i mod 2:
//     host waits for the copy of batch i-2 to have left pinned[s]       (event copied[s])
//     memcpy batch -> pinned[s]                                           (host)
//     copy stream waits until compute has read device[s] (batch i-2)     (event released[s])
//     cudaMemcpyAsync pinned[s] -> device[s] on the copy stream; record copied[s]
//     compute stream waits for copied[s]; return device[s] as (batch shape)
//   release(): after queuing the op that reads the upload (e.g. normalize), record released[s]
//     on the compute stream: from then on the slot may take batch i+2.
//
// The host never waits for compute, only (rarely) for a copy two batches old. Cost: two
// pinned buffers and two device buffers of the largest batch; the device buffers are held
// for the uploader's lifetime, so no other tensor can reuse them while a copy is in flight.
#pragma once

#include <array>
#include <cstddef>

#include "engine/device.h"
#include "engine/tensor.h"

struct CUstream_st;
struct CUevent_st;

namespace tl {

class BatchUploader {
 public:
  explicit BatchUploader(Device device);  // device must be a usable CUDA device
  ~BatchUploader();
  BatchUploader(const BatchUploader&) = delete;
  BatchUploader& operator=(const BatchUploader&) = delete;

  // Queues the copy of a CPU tensor to the device. The result is valid (and must not be
  // written) until release() has been called and two more uploads have happened.
  Tensor upload(const Tensor& host);
  // Everything queued so far on the device's stream has finished reading the last upload.
  void release();

  Device device() const { return device_; }

 private:
  struct Slot {
    void* pinned = nullptr;
    size_t pinned_bytes = 0;
    Tensor on_device;  // the largest batch so far, held for the uploader's lifetime
    CUevent_st* copied = nullptr;
    CUevent_st* released = nullptr;
    bool copy_pending = false;
    bool release_pending = false;
  };
  void wait_idle(Slot& slot);  // host waits until neither stream uses the slot
  void fit(Slot& slot, const Tensor& host);

  Device device_;
  CUstream_st* copy_stream_ = nullptr;
  std::array<Slot, 2> slots_;
  int next_ = 0;   // slot of the next upload
  int last_ = -1;  // slot of the last upload, until release()
};

}  // namespace tl
