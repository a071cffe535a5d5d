// TL_REQUIRE_GPU(): first line of every CUDA test. Without a usable GPU the test is reported
// as skipped with the reason (e.g. "no usable CUDA GPU (cudaErrorNoDevice: ...)"). In the
// emulated build (tl_tests_emulated) the "GPU" is the host SIMT emulator and the tests run.
//
// TL_REQUIRE_VENDOR_LIBS(): for tests that use cuBLAS/cuDNN; they are not emulated, so such
// tests skip themselves in the emulated build.
//
// tl::test::emulated(): true in the emulated build, for shrinking sizes that would be slow
// there (every CUDA thread is an OS thread) and for emulator-only checks.
#pragma once

#include <gtest/gtest.h>

#include "engine/device.h"

namespace tl::test {

constexpr bool emulated() {
#if defined(TL_EMULATE_CUDA)
  return true;
#else
  return false;
#endif
}

}  // namespace tl::test

#define TL_REQUIRE_GPU()                                                                    \
  do {                                                                                      \
    if (!::tl::cuda_available()) GTEST_SKIP() << "no usable CUDA GPU: " << ::tl::cuda_status().reason; \
  } while (0)

#define TL_REQUIRE_VENDOR_LIBS()                                                                        \
  do {                                                                                                  \
    if (::tl::test::emulated())                                                                         \
      GTEST_SKIP() << "cuBLAS/cuDNN are not emulated: this comparison runs only on a real GPU";         \
  } while (0)
