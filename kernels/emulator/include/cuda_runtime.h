// Emulated <cuda_runtime.h>: the runtime API plus the device-side language (qualifiers,
// built-in variables, intrinsics), which nvcc includes implicitly into every .cu file; the
// emulated build force-includes this header into each .cu file for the same effect.
#pragma once

#include <cuda_runtime_api.h>

#include "kernels/emulator/device.h"
