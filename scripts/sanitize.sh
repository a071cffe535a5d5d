#!/usr/bin/env bash
# Builds the whole test suite with AddressSanitizer + UndefinedBehaviorSanitizer (gcc, CPU
# only, into build-asan/) and runs it. Any sanitizer report fails the test that triggered it.
# Suppressions for third-party code (not instrumented, reported through interceptors) are in
# tests/sanitizers/; see README "Threat model".
#   bash scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DTL_SANITIZE=ON -DTL_CUDA=OFF -DTL_EMULATOR=OFF -DTL_BUILD_BENCHMARKS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-asan -j"$(nproc)" --target tl_tests tl
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/sanitizers/ubsan.supp
# Oversized single allocations fail instead of aborting, as in scripts/fuzz.sh (HDF5 allocates
# what a corrupt file claims before reading it; tests/data/fuzz_regressions/*/hdf5_metadata_*).
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:allocator_may_return_null=1:max_allocation_size_mb=1536
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
