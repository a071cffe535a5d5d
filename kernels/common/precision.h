// Precision: the arithmetic a convolution or GEMM runs in, chosen per call (`--precision`).
// Every precision accumulates in FP32; only the inputs of each multiply differ.
//   fp32 : float inputs, FFMA on CUDA cores            (the CPU reference's precision)
//   tf32 : float inputs rounded to TF32 (10-bit mantissa) on tensor cores (mma.sync m16n8k8)
//   bf16 : inputs converted to bfloat16 (7-bit mantissa) on tensor cores (mma.sync m16n8k16)
// The CPU backend always computes in fp32 whatever is asked.
#pragma once

#include <string>

#include "kernels/common/error.h"

namespace tl {

enum class Precision { fp32, tf32, bf16 };

inline const char* precision_name(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::bf16: return "bf16";
  }
  return "?";
}

inline Precision parse_precision(const std::string& name) {
  if (name == "fp32") return Precision::fp32;
  if (name == "tf32") return Precision::tf32;
  if (name == "bf16") return Precision::bf16;
  TL_FAIL("unknown precision '" << name << "' (expected fp32, tf32 or bf16)");
}

}  // namespace tl
