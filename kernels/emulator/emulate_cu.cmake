# cmake -DIN=file.cu -DOUT=file.cu.cpp -P emulate_cu.cmake
# Writes the host C++ translation unit through which the emulated build compiles a .cu file:
# the emulated <cuda_runtime.h> first (nvcc includes the real one implicitly), then the file's
# own text under `#line`, so diagnostics and debuggers show the .cu file and its lines. The one
# rewrite: `extern __shared__ T name[];` becomes a pointer to the block's dynamic shared memory,
# `T* const name = ...;` on the same line, as C++ has no storage class for it.
file(READ "${IN}" text)
string(REGEX REPLACE "extern([ \t]+)__shared__([ \t]+)__align__[ \t]*\\([^)]*\\)" "extern\\1__shared__\\2" text "${text}")
string(REGEX REPLACE
       "extern[ \t]+__shared__[ \t]+([^;{}()\\[]*[^ \t;{}()\\[])[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\\[[ \t]*\\][ \t]*;"
       "\\1* const \\2 = static_cast<\\1*>(::tl::emu::dynamic_shared_memory());" text "${text}")
set(generated "// Generated from ${IN} by kernels/emulator/emulate_cu.cmake: do not edit.\n#include <cuda_runtime.h>\n#line 1 \"${IN}\"\n${text}")
if(EXISTS "${OUT}")
  file(READ "${OUT}" previous)
  if(previous STREQUAL generated)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${generated}")
