// The CUDA built-in vector types (dim3, uint3, float2, float4, int4, ...) for the host
// emulator, with CUDA's sizes and alignments so that reinterpret_casts in kernels (e.g. a
// float4 load) behave as on the GPU, and the make_* helpers.
#pragma once

#include <cstddef>

#define TL_EMU_VECTOR_TYPES(T, name, align2, align4)                           \
  struct name##1 {                                                             \
    T x;                                                                       \
  };                                                                           \
  struct alignas(align2) name##2 {                                             \
    T x, y;                                                                    \
  };                                                                           \
  struct name##3 {                                                             \
    T x, y, z;                                                                 \
  };                                                                           \
  struct alignas(align4) name##4 {                                             \
    T x, y, z, w;                                                              \
  };                                                                           \
  inline constexpr name##1 make_##name##1(T x) { return {x}; }                 \
  inline constexpr name##2 make_##name##2(T x, T y) { return {x, y}; }         \
  inline constexpr name##3 make_##name##3(T x, T y, T z) { return {x, y, z}; } \
  inline constexpr name##4 make_##name##4(T x, T y, T z, T w) { return {x, y, z, w}; }

TL_EMU_VECTOR_TYPES(signed char, char, 2, 4)
TL_EMU_VECTOR_TYPES(unsigned char, uchar, 2, 4)
TL_EMU_VECTOR_TYPES(short, short, 4, 8)
TL_EMU_VECTOR_TYPES(unsigned short, ushort, 4, 8)
TL_EMU_VECTOR_TYPES(int, int, 8, 16)
TL_EMU_VECTOR_TYPES(unsigned int, uint, 8, 16)
TL_EMU_VECTOR_TYPES(long long, longlong, 16, 16)
TL_EMU_VECTOR_TYPES(unsigned long long, ulonglong, 16, 16)
TL_EMU_VECTOR_TYPES(float, float, 8, 16)
TL_EMU_VECTOR_TYPES(double, double, 16, 16)
#undef TL_EMU_VECTOR_TYPES

static_assert(sizeof(float4) == 16 && alignof(float4) == 16, "float4 must match CUDA's layout");
static_assert(sizeof(float2) == 8 && alignof(float2) == 8, "float2 must match CUDA's layout");

// dim3: a launch extent; unspecified components are 1, as in CUDA.
struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
  constexpr operator uint3() const { return {x, y, z}; }
};
