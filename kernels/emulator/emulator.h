// The SIMT emulator's interface: running a kernel launch on the host, and the primitives the
// device-side headers (device.h, kernels/cuda/mma.h) are built from.
//
// Execution model (see kernels/cuda/README.md for what it proves and what it does not):
//   * one launch = the grid's blocks run one after another, in blockIdx order;
//   * a block = blockDim real threads (std::thread), which meet at a barrier on __syncthreads;
//   * a warp = 32 consecutive threads (linear thread id / 32); warp operations (shuffles,
//     votes, __syncwarp, ldmatrix, mma) exchange values through per-warp slots behind a
//     warp-level barrier;
//   * static __shared__ variables are C++ function-level statics (one instance, used by one
//     block at a time because blocks run one after another); dynamic shared memory is a
//     per-launch buffer of the launched size, refilled with 0xff bytes (NaN) before each block.
// Two schedules (environment variable TL_EMU_SCHEDULE, or ScopedSchedule in tests):
//   serial   (default) exactly one thread runs at a time, passing a token at every barrier,
//            warp operation and thread exit, in a fixed order that alternates between forward
//            and reverse thread order from one barrier phase to the next. Deterministic: a
//            missing barrier gives the same wrong answer on every run.
//   parallel all threads of the block run at once, as the OS schedules them: real
//            interleavings and contention (scripts/tsan.sh runs under it).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <functional>

namespace tl::emu {

enum class Schedule { serial, parallel };

Schedule schedule();                   // the current one: TL_EMU_SCHEDULE, else serial
void set_schedule(Schedule schedule);  // for tests; affects later launches

// Sets a schedule for the life of the object, then restores the previous one.
class ScopedSchedule {
 public:
  explicit ScopedSchedule(Schedule s) : previous_(schedule()) { set_schedule(s); }
  ~ScopedSchedule() { set_schedule(previous_); }
  ScopedSchedule(const ScopedSchedule&) = delete;
  ScopedSchedule& operator=(const ScopedSchedule&) = delete;

 private:
  Schedule previous_;
};

// Runs `body` (the kernel call, with its arguments bound) as every thread of every block of
// the launch. Configuration errors set the runtime's last error, as on the GPU; a deadlock
// (e.g. __syncthreads in divergent code) or an exception thrown in the kernel throws tl::Error.
void launch(const void* kernel, dim3 grid, dim3 block, size_t dynamic_smem_bytes, cudaStream_t stream,
            const std::function<void()>& body);

// Device-side primitives; callable only from inside a kernel running on the emulator.
void syncthreads();
int syncthreads_count(int predicate);  // the number of threads with a non-zero predicate
constexpr size_t kWarpSlotBytes = 64;  // the most a lane can contribute to one exchange
// Lanes of `mask` (that are still running) each contribute `bytes` from `mine`; once all have,
// each receives every lane's contribution: all[lane * bytes ...]. Lanes outside the mask or
// already exited contribute zeros.
void warp_exchange(unsigned mask, const void* mine, size_t bytes, void* all);
unsigned active_mask();         // the lanes of the caller's warp still running
void* dynamic_shared_memory();  // the block's dynamic shared memory
void trap(const char* what);    // aborts the launch with tl::Error

// cp.async emulation: a copy queued by the calling thread, performed when a later
// cp_async_wait_groups leaves its group outstanding no longer (or at thread exit).
void cp_async_enqueue(void* dst, const void* src, size_t copy_bytes, size_t src_bytes);
void cp_async_commit();
void cp_async_wait_groups(int allowed_pending);

}  // namespace tl::emu
