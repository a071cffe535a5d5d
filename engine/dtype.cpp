#include "engine/dtype.h"

#include "kernels/common/error.h"

namespace tl {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::bf16: return 2;
    case DType::i32: return 4;
    case DType::u8: return 1;
  }
  TL_FAIL("unknown dtype " << static_cast<int>(dtype));
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "f32";
    case DType::bf16: return "bf16";
    case DType::i32: return "i32";
    case DType::u8: return "u8";
  }
  return "?";
}

DType parse_dtype(const std::string& name) {
  for (DType d : {DType::f32, DType::bf16, DType::i32, DType::u8})
    if (name == dtype_name(d)) return d;
  TL_FAIL("unknown dtype '" << name << "' (expected f32, bf16, i32 or u8)");
}

}  // namespace tl
