#include "kernels/emulator/block_run.h"

#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <thread>

#include "kernels/common/error.h"

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer's annotation interface (exported by its runtime).
extern "C" {
void AnnotateIgnoreSyncBegin(const char* file, int line);
void AnnotateIgnoreSyncEnd(const char* file, int line);
void AnnotateIgnoreReadsBegin(const char* file, int line);
void AnnotateIgnoreReadsEnd(const char* file, int line);
void AnnotateIgnoreWritesBegin(const char* file, int line);
void AnnotateIgnoreWritesEnd(const char* file, int line);
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}
#endif

// The built-in variables of the emulated thread running on this OS thread.
thread_local uint3 threadIdx;
thread_local uint3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

namespace tl::emu {
namespace {

thread_local BlockRun* t_run = nullptr;  // the launch this OS thread works for
thread_local int t_thread = -1;          // its linear thread index in the block

BlockRun& current(const char* what) {
  TL_CHECK(t_run != nullptr, what << " called outside a kernel running on the emulator");
  return *t_run;
}

// cp.async: copies queued by this thread, each with the commit group it belongs to.
struct PendingCopy {
  void* dst;
  const void* src;
  size_t copy_bytes, src_bytes;
  uint64_t group;  // 0 while not yet committed
};
thread_local std::vector<PendingCopy> t_copies;
thread_local uint64_t t_groups_committed = 0;

void perform(const PendingCopy& c) {
  std::memcpy(c.dst, c.src, c.src_bytes);
  std::memset(static_cast<unsigned char*>(c.dst) + c.src_bytes, 0, c.copy_bytes - c.src_bytes);  // zero-fill
}

void flush_copies() {
  for (const PendingCopy& c : t_copies) perform(c);
  t_copies.clear();
  t_groups_committed = 0;
}

// Under ThreadSanitizer the emulator's own synchronisation (its mutex, semaphores, the token)
// would order the threads far more than CUDA does, and hide races in kernels. So the emulator's
// bookkeeping runs "quiet" (TSan ignores its synchronisation and memory accesses), and only
// what CUDA guarantees is told to TSan: everything before a thread's arrival at a barrier (or
// warp operation, or the end of a block) happens before everything after the others leave it.
class Quiet {
 public:
  Quiet() { begin(); }
  ~Quiet() {
    if (on_) end();
  }
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;
  void begin() {
#if defined(__SANITIZE_THREAD__)
    AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
#endif
    on_ = true;
  }
  void end() {
#if defined(__SANITIZE_THREAD__)
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
#endif
    on_ = false;
  }

 private:
  bool on_ = false;
};

// Inside a Quiet region: the calling thread's past happens before whoever calls happens_after
// on the same object.
void happens_before([[maybe_unused]] const void* object) {
#if defined(__SANITIZE_THREAD__)
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  __tsan_release(const_cast<void*>(object));
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
#endif
}
void happens_after([[maybe_unused]] const void* object) {
#if defined(__SANITIZE_THREAD__)
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  __tsan_acquire(const_cast<void*>(object));
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
#endif
}

}  // namespace

BlockRun::BlockRun(dim3 grid, dim3 block, size_t smem_bytes, Schedule schedule)
    : grid_(grid),
      block_(block),
      threads_(static_cast<int>(block.x * block.y * block.z)),
      blocks_(uint64_t{grid.x} * grid.y * grid.z),
      smem_bytes_(smem_bytes),
      schedule_(schedule),
      state_(static_cast<size_t>(threads_)),
      warps_(static_cast<size_t>((threads_ + 31) / 32)),
      smem_storage_(smem_bytes + 128) {
  void* p = smem_storage_.data();
  size_t space = smem_storage_.size();
  smem_ = static_cast<unsigned char*>(std::align(128, smem_bytes, p, space));
  for (int t = 0; t < threads_; ++t) wake_.push_back(std::make_unique<std::counting_semaphore<>>(0));
}

void BlockRun::run(const std::function<void()>& body) {
  {
    std::lock_guard lock(mutex_);
    start_block();
    restart_order_ = false;
    token_ = 0;
  }
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(threads_));
  for (int t = 0; t < threads_; ++t) threads.emplace_back(&BlockRun::worker, this, t, &body);
  for (std::thread& thread : threads) thread.join();
  if (aborted_) TL_FAIL("emulated kernel launch failed: " << error_);
}

void BlockRun::start_block() {
  std::fill(state_.begin(), state_.end(), State::runnable);
  runnable_ = threads_;
  at_barrier_ = exited_ = 0;
  phase_ = 0;
  restart_order_ = true;
  for (size_t w = 0; w < warps_.size(); ++w) {
    const int lanes = std::min(32, threads_ - static_cast<int>(w) * 32);
    warps_[w].live = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1u;
    warps_[w].arrived = 0;
  }
  // Shared memory starts as garbage on the GPU; all-ones bytes read as NaN in float kernels.
  std::memset(smem_, 0xff, smem_bytes_);
}

void BlockRun::worker(int thread, const std::function<void()>* body) {
  char name[16];
  std::snprintf(name, sizeof name, "cuda t%d", thread);
  pthread_setname_np(pthread_self(), name);
  t_run = this;
  t_thread = thread;
  blockDim = block_;
  gridDim = grid_;
  const unsigned t = static_cast<unsigned>(thread);
  threadIdx = uint3{t % block_.x, t / block_.x % block_.y, t / (block_.x * block_.y)};

  Quiet quiet;
  std::unique_lock lock(mutex_);
  try {
    wait(lock, thread);
    while (!finished_) {
      happens_after(&block_end_);  // the previous block's threads are done with shared memory
      const uint64_t b = block_index_;
      blockIdx = uint3{static_cast<unsigned>(b % grid_.x), static_cast<unsigned>(b / grid_.x % grid_.y),
                       static_cast<unsigned>(b / (uint64_t{grid_.x} * grid_.y))};
      lock.unlock();
      quiet.end();
      try {
        (*body)();
        flush_copies();
      } catch (const LaunchAborted&) {
        throw;
      } catch (const std::exception& e) {
        abort(thread, std::string("exception in the kernel: ") + e.what());
      }
      quiet.begin();
      lock.lock();
      happens_before(&block_end_);
      happens_before(&exited_sync_);  // an exited thread counts as arrived at later barriers
      state_[static_cast<size_t>(thread)] = State::exited;
      ++exited_;
      --runnable_;
      warps_[static_cast<size_t>(thread / 32)].live &= ~(1u << (thread % 32));
      release_completed(thread);
      wait(lock, thread);
    }
  } catch (const LaunchAborted&) {
  }
  t_copies.clear();
  t_run = nullptr;
}

bool BlockRun::release_completed(int thread) {
  auto make_runnable = [&](int t) {
    state_[static_cast<size_t>(t)] = State::runnable;
    ++runnable_;
    if (schedule_ == Schedule::parallel && t != thread) wake_[static_cast<size_t>(t)]->release();
  };
  bool released = false;
  Warp& w = warps_[static_cast<size_t>(thread / 32)];
  const unsigned needed = w.mask & w.live;
  if (w.arrived != 0 && (w.arrived & needed) == needed) {
    for (int lane = 0; lane < 32; ++lane)
      if (w.arrived >> lane & 1u) make_runnable(thread / 32 * 32 + lane);
    w.contributed[w.generation & 1] = w.arrived;
    w.arrived = 0;
    ++w.generation;
    released = true;
  }
  if (at_barrier_ > 0 && at_barrier_ + exited_ == threads_) {
    for (int t = 0; t < threads_; ++t)
      if (state_[static_cast<size_t>(t)] == State::at_barrier) make_runnable(t);
    at_barrier_ = 0;
    ++barrier_generation_;
    barrier_counts_[barrier_generation_ & 1] = 0;
    ++phase_;
    restart_order_ = true;
    released = true;
  }
  if (exited_ == threads_) {
    if (++block_index_ == blocks_) {
      finished_ = true;
      for (auto& s : wake_) s->release();
    } else {
      start_block();
      if (schedule_ == Schedule::parallel)
        for (int t = 0; t < threads_; ++t)
          if (t != thread) wake_[static_cast<size_t>(t)]->release();
    }
    released = true;
  }
  return released;
}

int BlockRun::next_in_order(int after) {
  const bool forward = phase_ % 2 == 0;
  const int start = restart_order_ ? 0 : (forward ? after : threads_ - 1 - after) + 1;
  restart_order_ = false;
  for (int i = 0; i < threads_; ++i) {
    const int p = (start + i) % threads_;
    const int t = forward ? p : threads_ - 1 - p;
    if (state_[static_cast<size_t>(t)] == State::runnable) return t;
  }
  return -1;
}

void BlockRun::wait(std::unique_lock<std::mutex>& lock, int thread) {
  const size_t self = static_cast<size_t>(thread);
  for (;;) {
    if (aborted_) throw LaunchAborted{};
    if (finished_) return;
    if (schedule_ == Schedule::parallel) {
      if (state_[self] == State::runnable) return;
      if (runnable_ == 0) abort_locked("deadlock: " + describe_states());
    } else if (token_ == thread) {
      if (state_[self] == State::runnable && !restart_order_) return;
      const int next = next_in_order(thread);
      if (next < 0) abort_locked("deadlock: " + describe_states());
      if (next == thread) return;
      token_ = next;
      wake_[static_cast<size_t>(next)]->release();
    }
    lock.unlock();
    wake_[self]->acquire();
    lock.lock();
  }
}

void BlockRun::abort_locked(const std::string& why) {
  if (!aborted_) {
    aborted_ = true;
    std::ostringstream out;
    out << why << " (block " << block_index_ << " of " << blocks_ << ", " << threads_
        << " threads per block)";
    error_ = out.str();
  }
  for (auto& s : wake_) s->release();
  throw LaunchAborted{};
}

void BlockRun::abort(int /*thread*/, const std::string& why) {
  Quiet quiet;
  std::unique_lock lock(mutex_);
  abort_locked(why);
}

std::string BlockRun::describe_states() const {
  int counts[4] = {0, 0, 0, 0};
  for (State s : state_) ++counts[static_cast<int>(s)];
  std::ostringstream out;
  out << counts[1] << " threads wait at __syncthreads, " << counts[2] << " at a warp operation, " << counts[3]
      << " have exited (a barrier reached by only part of the block, or warp operations with lanes "
         "missing?)";
  return out.str();
}

void BlockRun::syncthreads(int thread) { syncthreads_count(thread, 0); }

int BlockRun::syncthreads_count(int thread, int predicate) {
  Quiet quiet;
  std::unique_lock lock(mutex_);
  const uint64_t generation = barrier_generation_;
  happens_before(&barrier_sync_[generation & 1]);
  barrier_counts_[generation & 1] += predicate != 0;
  state_[static_cast<size_t>(thread)] = State::at_barrier;
  ++at_barrier_;
  --runnable_;
  release_completed(thread);
  wait(lock, thread);
  happens_after(&barrier_sync_[generation & 1]);
  happens_after(&exited_sync_);
  return barrier_counts_[generation & 1];
}

void BlockRun::warp_exchange(int thread, unsigned mask, const void* mine, size_t bytes, void* all) {
  TL_CHECK(bytes <= kWarpSlotBytes,
           "warp exchange of " << bytes << " bytes (at most " << kWarpSlotBytes << ")");
  Quiet quiet;
  std::unique_lock lock(mutex_);
  Warp& w = warps_[static_cast<size_t>(thread / 32)];
  const int lane = thread % 32;
  if (w.arrived == 0) w.mask = mask;
  const uint64_t generation = w.generation;
  happens_before(&w.sync[generation & 1]);
  if (bytes > 0) std::memcpy(w.slots[generation & 1][lane], mine, bytes);
  w.arrived |= 1u << lane;
  state_[static_cast<size_t>(thread)] = State::at_warp;
  --runnable_;
  release_completed(thread);
  wait(lock, thread);
  happens_after(&w.sync[generation & 1]);
  if (all == nullptr) return;
  // Lanes that never arrived (exited, or outside the mask) read as zeros.
  const unsigned contributors = w.contributed[generation & 1];
  for (int l = 0; l < 32; ++l) {
    unsigned char* out = static_cast<unsigned char*>(all) + static_cast<size_t>(l) * bytes;
    if (contributors >> l & 1u)
      std::memcpy(out, w.slots[generation & 1][l], bytes);
    else
      std::memset(out, 0, bytes);
  }
}

unsigned BlockRun::active_mask(int thread) {
  Quiet quiet;
  std::lock_guard lock(mutex_);
  return warps_[static_cast<size_t>(thread / 32)].live;
}

// ---- the device-side entry points ----

void syncthreads() { current("__syncthreads").syncthreads(t_thread); }
int syncthreads_count(int predicate) {
  return current("__syncthreads_count").syncthreads_count(t_thread, predicate);
}
void warp_exchange(unsigned mask, const void* mine, size_t bytes, void* all) {
  current("a warp operation").warp_exchange(t_thread, mask, mine, bytes, all);
}
unsigned active_mask() { return current("__activemask").active_mask(t_thread); }
void* dynamic_shared_memory() { return current("dynamic shared memory").dynamic_shared(); }
void trap(const char* what) { current(what).abort(t_thread, what); }

void cp_async_enqueue(void* dst, const void* src, size_t copy_bytes, size_t src_bytes) {
  TL_CHECK(src_bytes <= copy_bytes,
           "cp.async: source size " << src_bytes << " exceeds the copy size " << copy_bytes);
  t_copies.push_back({dst, src, copy_bytes, src_bytes, 0});
}

void cp_async_commit() {
  ++t_groups_committed;
  for (PendingCopy& c : t_copies)
    if (c.group == 0) c.group = t_groups_committed;
}

void cp_async_wait_groups(int allowed_pending) {
  const uint64_t done_up_to =
      t_groups_committed > static_cast<uint64_t>(allowed_pending) ? t_groups_committed - allowed_pending : 0;
  std::erase_if(t_copies, [&](const PendingCopy& c) {
    if (c.group == 0 || c.group > done_up_to) return false;
    perform(c);
    return true;
  });
}

}  // namespace tl::emu
