// The CUDA device-side language on the host emulator: qualifiers, built-in variables,
// barriers, warp shuffles and votes, atomics, load/store hints and the fast-math intrinsics
// tl's kernels use. Each maps to plain C++ (or to a primitive in emulator.h) with the same
// meaning, so a kernel's source compiles unchanged as host C++.
#pragma once

#include <math.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/emulator/emulator.h"
#include "kernels/emulator/vector_types.h"

// Qualifiers. __shared__ is a function-level static: one instance that all threads of the
// running block see (blocks run one after another). `extern __shared__ T name[];` is rewritten
// into a pointer to the block's dynamic shared memory (emulate_cu.cmake).
#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __constant__
#define __managed__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
#define __grid_constant__

// Built-in variables, set per emulated thread by the emulator.
extern thread_local uint3 threadIdx;
extern thread_local uint3 blockIdx;
extern thread_local dim3 blockDim;
extern thread_local dim3 gridDim;
constexpr int warpSize = 32;

// Barriers and fences.
inline void __syncthreads() { tl::emu::syncthreads(); }
inline int __syncthreads_count(int predicate) { return tl::emu::syncthreads_count(predicate); }
inline int __syncthreads_and(int predicate) {
  const dim3 b = blockDim;
  return tl::emu::syncthreads_count(predicate) == static_cast<int>(b.x * b.y * b.z);
}
inline int __syncthreads_or(int predicate) { return tl::emu::syncthreads_count(predicate) > 0; }
inline void __syncwarp(unsigned mask = 0xffffffffu) { tl::emu::warp_exchange(mask, nullptr, 0, nullptr); }
inline void __threadfence_block() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_system() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline unsigned __activemask() { return tl::emu::active_mask(); }
[[noreturn]] inline void __trap() {
  tl::emu::trap("__trap() called");
  __builtin_unreachable();
}
inline void __nanosleep(unsigned) {}

// Warp shuffles: every participating lane deposits `var`; each then reads the source lane's.
namespace tl::emu {
inline unsigned lane_id() {
  return (threadIdx.x + threadIdx.y * blockDim.x + threadIdx.z * blockDim.x * blockDim.y) % 32u;
}
template <typename T>
T shuffle_from(unsigned mask, T var, int src, bool in_range) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= kWarpSlotBytes,
                "shuffle of an unsupported type");
  unsigned char all[32 * sizeof(T)];
  warp_exchange(mask, &var, sizeof(T), all);
  if (!in_range) return var;
  T out;
  std::memcpy(&out, all + static_cast<size_t>(src) * sizeof(T), sizeof(T));
  return out;
}
}  // namespace tl::emu

template <typename T>
T __shfl_sync(unsigned mask, T var, int src_lane, int width = 32) {
  const int lane = static_cast<int>(tl::emu::lane_id());
  return tl::emu::shuffle_from(mask, var, (lane & ~(width - 1)) + (src_lane & (width - 1)), true);
}
template <typename T>
T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32) {
  const int lane = static_cast<int>(tl::emu::lane_id());
  return tl::emu::shuffle_from(mask, var, lane - static_cast<int>(delta),
                               (lane & (width - 1)) >= static_cast<int>(delta));
}
template <typename T>
T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32) {
  const int lane = static_cast<int>(tl::emu::lane_id());
  return tl::emu::shuffle_from(mask, var, lane + static_cast<int>(delta),
                               (lane & (width - 1)) + static_cast<int>(delta) < width);
}
template <typename T>
T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = 32) {
  const int lane = static_cast<int>(tl::emu::lane_id());
  const int src = lane ^ lane_mask;
  return tl::emu::shuffle_from(mask, var, src, (src & ~(width - 1)) == (lane & ~(width - 1)) && src < 32);
}

// Votes.
inline unsigned __ballot_sync(unsigned mask, int predicate) {
  int all[32];
  const int mine = predicate != 0;
  tl::emu::warp_exchange(mask, &mine, sizeof mine, all);
  unsigned bits = 0;
  for (unsigned lane = 0; lane < 32; ++lane)
    if ((mask >> lane & 1u) && all[lane]) bits |= 1u << lane;
  return bits;
}
inline int __any_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) {
  return __ballot_sync(mask, predicate) == (mask & tl::emu::active_mask());
}
template <typename T>
T tl_emu_reduce_sync(unsigned mask, T value, int op) {  // 0 add, 1 min, 2 max
  T all[32];
  tl::emu::warp_exchange(mask, &value, sizeof value, all);
  bool first = true;
  T out{};
  for (unsigned lane = 0; lane < 32; ++lane) {
    if (!(mask >> lane & 1u)) continue;
    out = first     ? all[lane]
          : op == 0 ? out + all[lane]
          : op == 1 ? (all[lane] < out ? all[lane] : out)
                    : (all[lane] > out ? all[lane] : out);
    first = false;
  }
  return out;
}
inline unsigned __reduce_add_sync(unsigned mask, unsigned v) { return tl_emu_reduce_sync(mask, v, 0); }
inline int __reduce_add_sync(unsigned mask, int v) { return tl_emu_reduce_sync(mask, v, 0); }
inline unsigned __reduce_min_sync(unsigned mask, unsigned v) { return tl_emu_reduce_sync(mask, v, 1); }
inline int __reduce_min_sync(unsigned mask, int v) { return tl_emu_reduce_sync(mask, v, 1); }
inline unsigned __reduce_max_sync(unsigned mask, unsigned v) { return tl_emu_reduce_sync(mask, v, 2); }
inline int __reduce_max_sync(unsigned mask, int v) { return tl_emu_reduce_sync(mask, v, 2); }

// Atomics: std::atomic_ref, so that they are real atomics under the parallel schedule.
template <typename T>
T atomicAdd(T* address, T value) {
  return std::atomic_ref<T>(*address).fetch_add(value);
}
template <typename T>
T atomicSub(T* address, T value) {
  return std::atomic_ref<T>(*address).fetch_sub(value);
}
template <typename T>
T atomicExch(T* address, T value) {
  return std::atomic_ref<T>(*address).exchange(value);
}
template <typename T>
T atomicCAS(T* address, T compare, T value) {
  std::atomic_ref<T>(*address).compare_exchange_strong(compare, value);
  return compare;  // the old value either way
}
template <typename T>
T atomicMax(T* address, T value) {
  std::atomic_ref<T> ref(*address);
  T old = ref.load();
  while (old < value && !ref.compare_exchange_weak(old, value)) {
  }
  return old;
}
template <typename T>
T atomicMin(T* address, T value) {
  std::atomic_ref<T> ref(*address);
  T old = ref.load();
  while (value < old && !ref.compare_exchange_weak(old, value)) {
  }
  return old;
}
template <typename T>
T atomicAnd(T* address, T value) {
  return std::atomic_ref<T>(*address).fetch_and(value);
}
template <typename T>
T atomicOr(T* address, T value) {
  return std::atomic_ref<T>(*address).fetch_or(value);
}
template <typename T>
T atomicXor(T* address, T value) {
  return std::atomic_ref<T>(*address).fetch_xor(value);
}
inline unsigned atomicInc(unsigned* address, unsigned limit) {  // ((old >= limit) ? 0 : old + 1)
  std::atomic_ref<unsigned> ref(*address);
  unsigned old = ref.load();
  while (!ref.compare_exchange_weak(old, old >= limit ? 0u : old + 1u)) {
  }
  return old;
}
inline unsigned atomicDec(unsigned* address,
                          unsigned limit) {  // ((old == 0 || old > limit) ? limit : old - 1)
  std::atomic_ref<unsigned> ref(*address);
  unsigned old = ref.load();
  while (!ref.compare_exchange_weak(old, (old == 0u || old > limit) ? limit : old - 1u)) {
  }
  return old;
}

// Cache-hinted loads and stores: plain accesses.
template <typename T>
T __ldg(const T* p) {
  return *p;
}
template <typename T>
T __ldcg(const T* p) {
  return *p;
}
template <typename T>
T __ldca(const T* p) {
  return *p;
}
template <typename T>
T __ldcs(const T* p) {
  return *p;
}
template <typename T>
T __ldlu(const T* p) {
  return *p;
}
template <typename T>
T __ldcv(const T* p) {
  return *p;
}
template <typename T>
void __stcg(T* p, T v) {
  *p = v;
}
template <typename T>
void __stcs(T* p, T v) {
  *p = v;
}
template <typename T>
void __stwb(T* p, T v) {
  *p = v;
}
template <typename T>
void __stwt(T* p, T v) {
  *p = v;
}

// Fast-math and rounding intrinsics: the accurate host function (the emulator proves the
// algorithm, not the last ulp of a hardware approximation).
inline float __expf(float x) { return std::exp(x); }
inline float __exp10f(float x) { return std::pow(10.0f, x); }
inline float __logf(float x) { return std::log(x); }
inline float __log2f(float x) { return std::log2(x); }
inline float __log10f(float x) { return std::log10(x); }
inline float __sinf(float x) { return std::sin(x); }
inline float __cosf(float x) { return std::cos(x); }
inline float __tanf(float x) { return std::tan(x); }
inline void __sincosf(float x, float* s, float* c) { *s = std::sin(x), *c = std::cos(x); }
inline float __powf(float x, float y) { return std::pow(x, y); }
inline float __fdividef(float x, float y) { return x / y; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return std::sqrt(x); }
inline float __frsqrt_rn(float x) { return 1.0f / std::sqrt(x); }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float __saturatef(float x) { return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; }  // NaN -> 0
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __tanhf(float x) { return std::tanh(x); }
inline int __float2int_rn(float x) { return static_cast<int>(std::nearbyint(x)); }
inline int __float2int_rz(float x) { return static_cast<int>(x); }
inline int __float2int_rd(float x) { return static_cast<int>(std::floor(x)); }
inline int __float2int_ru(float x) { return static_cast<int>(std::ceil(x)); }
inline float __int2float_rn(int x) { return static_cast<float>(x); }
inline float __uint2float_rn(unsigned x) { return static_cast<float>(x); }
inline int __float_as_int(float x) { return std::bit_cast<int>(x); }
inline unsigned __float_as_uint(float x) { return std::bit_cast<unsigned>(x); }
inline float __int_as_float(int x) { return std::bit_cast<float>(x); }
inline float __uint_as_float(unsigned x) { return std::bit_cast<float>(x); }
inline long long __double_as_longlong(double x) { return std::bit_cast<long long>(x); }
inline double __longlong_as_double(long long x) { return std::bit_cast<double>(x); }

// Integer intrinsics.
inline int __popc(unsigned x) { return std::popcount(x); }
inline int __popcll(unsigned long long x) { return std::popcount(x); }
inline int __clz(int x) { return std::countl_zero(static_cast<unsigned>(x)); }
inline int __clzll(long long x) { return std::countl_zero(static_cast<unsigned long long>(x)); }
inline int __ffs(int x) { return x == 0 ? 0 : std::countr_zero(static_cast<unsigned>(x)) + 1; }
inline int __ffsll(long long x) {
  return x == 0 ? 0 : std::countr_zero(static_cast<unsigned long long>(x)) + 1;
}
inline unsigned __brev(unsigned x) {
  unsigned r = 0;
  for (int i = 0; i < 32; ++i) r |= ((x >> i) & 1u) << (31 - i);
  return r;
}
inline int __mul24(int a, int b) { return a * b; }
inline unsigned __umul24(unsigned a, unsigned b) { return a * b; }
inline int __mulhi(int a, int b) { return static_cast<int>((static_cast<long long>(a) * b) >> 32); }
inline unsigned __umulhi(unsigned a, unsigned b) {
  return static_cast<unsigned>((static_cast<unsigned long long>(a) * b) >> 32);
}

// CUDA's global min/max overloads.
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline long min(long a, long b) { return a < b ? a : b; }
inline long max(long a, long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
