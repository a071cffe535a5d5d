// DType: the element types a Tensor can hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/common/bf16.h"

namespace tl {

enum class DType : uint8_t { f32, bf16, i32, u8 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);
DType parse_dtype(const std::string& name);  // "f32", "bf16", "i32", "u8"

// The DType of a C++ element type: dtype_of<float>() == DType::f32.
template <typename T>
constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<bf16>() { return DType::bf16; }
template <> constexpr DType dtype_of<int32_t>() { return DType::i32; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::u8; }

}  // namespace tl
