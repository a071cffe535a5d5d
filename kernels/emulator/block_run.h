// BlockRun: the threads of one emulated launch and everything they synchronise on.
//
// One OS thread per thread of the block (blockDim threads); each runs the kernel once per
// block of the grid, blocks in order. All synchronisation state sits behind one mutex; a
// thread that must wait (at a barrier, a warp operation, or the end of a block) sleeps on its
// own semaphore and is woken by whoever completes what it waits for. Under the serial schedule
// exactly one thread holds the "token" and runs; every wait hands the token on.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <vector>

#include "kernels/emulator/emulator.h"

namespace tl::emu {

// Thrown inside waiting threads to unwind them when the launch is aborted.
struct LaunchAborted {};

class BlockRun {
 public:
  BlockRun(dim3 grid, dim3 block, size_t smem_bytes, Schedule schedule);

  void run(const std::function<void()>& body);  // the whole launch; throws tl::Error on failure

  // Called from emulated threads.
  void syncthreads(int thread);
  int syncthreads_count(int thread, int predicate);
  void warp_exchange(int thread, unsigned mask, const void* mine, size_t bytes, void* all);
  unsigned active_mask(int thread);
  void* dynamic_shared() { return smem_; }
  [[noreturn]] void abort(int thread, const std::string& why);

 private:
  enum class State : uint8_t { runnable, at_barrier, at_warp, exited };
  struct Warp {
    unsigned live = 0;     // lanes that have not exited the kernel in this block
    unsigned arrived = 0;  // lanes waiting in the current exchange
    unsigned mask = 0;     // the mask of the current exchange
    uint64_t generation = 0;
    unsigned contributed[2] = {0, 0};  // the lanes that took part, by generation parity
    char sync[2] = {0, 0};             // ThreadSanitizer sync objects (addresses only), by generation parity
    alignas(16) unsigned char slots[2][32][kWarpSlotBytes];  // double-buffered by generation
  };

  void worker(int thread, const std::function<void()>* body);
  void start_block();                  // with the lock held
  bool release_completed(int thread);  // with the lock held
  void wait(std::unique_lock<std::mutex>& lock, int thread);
  int next_in_order(int after);
  [[noreturn]] void abort_locked(const std::string& why);
  std::string describe_states() const;

  const dim3 grid_, block_;
  const int threads_;
  const uint64_t blocks_;
  const size_t smem_bytes_;
  const Schedule schedule_;

  std::mutex mutex_;
  std::vector<State> state_;
  std::vector<std::unique_ptr<std::counting_semaphore<>>> wake_;
  std::vector<Warp> warps_;
  uint64_t block_index_ = 0;
  int at_barrier_ = 0, exited_ = 0, runnable_ = 0;
  uint64_t barrier_generation_ = 0;
  int barrier_counts_[2] = {0, 0};  // __syncthreads_count accumulators, by generation parity
  char barrier_sync_[2] = {0, 0};   // ThreadSanitizer sync objects (addresses only), by parity
  char block_end_ = 0, exited_sync_ = 0;
  uint64_t phase_ = 0;          // barrier phases in this block: serial order flips each phase
  int token_ = 0;               // serial: the thread allowed to run
  bool restart_order_ = false;  // serial: start the next pick at the head of the order
  bool finished_ = false, aborted_ = false;
  std::string error_;
  std::vector<unsigned char> smem_storage_;
  unsigned char* smem_ = nullptr;  // 128-byte aligned, inside smem_storage_
};

}  // namespace tl::emu
