// TL_REQUIRE_GPU(): first line of every CUDA test. Without a usable GPU the test is reported
// as skipped with the reason (e.g. "no usable CUDA GPU (cudaErrorNoDevice: ...)").
#pragma once

#include <gtest/gtest.h>

#include "engine/device.h"

#define TL_REQUIRE_GPU()                                                                    \
  do {                                                                                      \
    if (!::tl::cuda_available()) GTEST_SKIP() << "no usable CUDA GPU: " << ::tl::cuda_status().reason; \
  } while (0)
