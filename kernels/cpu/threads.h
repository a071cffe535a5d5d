// Thread count of the CPU backend: one setting for our OpenMP loops and for OpenBLAS.
#pragma once

namespace tl::cpu {

void set_num_threads(int n);  // n <= 0 means "all cores"
int num_threads();

}  // namespace tl::cpu
