// One CUDA stream per device. Every op tl queues on a device goes to that device's stream,
// so work on a device runs in program order; the host waits only at explicit sync points
// (copies to the host, synchronize()).
#pragma once

#include "engine/device.h"

struct CUstream_st;  // CUDA's opaque stream; cudaStream_t is CUstream_st*

namespace tl {

using StreamHandle = CUstream_st*;

StreamHandle stream_for(const Device& device);  // created on first use; throws for cpu
void synchronize(const Device& device);         // waits for all queued work; no-op for cpu

}  // namespace tl
