// bf16: the 16-bit "brain float" (1 sign, 8 exponent, 7 mantissa bits) as a host type.
// Bit-compatible with CUDA's __nv_bfloat16, so buffers can be copied between the two.
// Conversion from float rounds to nearest even, and keeps NaN a NaN.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/common/host_device.h"

namespace tl {

struct bf16 {
  uint16_t bits = 0;

  TL_HD static bf16 from_float(float value) {
    uint32_t u;
    std::memcpy(&u, &value, sizeof u);
    bf16 out;
    if ((u & 0x7fffffffu) > 0x7f800000u) {  // NaN: keep it quiet and a NaN
      out.bits = static_cast<uint16_t>((u >> 16) | 0x0040u);
      return out;
    }
    const uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);  // round half to even
    out.bits = static_cast<uint16_t>((u + rounding) >> 16);
    return out;
  }

  TL_HD float to_float() const {
    const uint32_t u = static_cast<uint32_t>(bits) << 16;
    float value;
    std::memcpy(&value, &u, sizeof value);
    return value;
  }
};

static_assert(sizeof(bf16) == 2, "bf16 must be two bytes to match __nv_bfloat16");

}  // namespace tl
