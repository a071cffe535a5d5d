#!/usr/bin/env bash
# Builds tl (via setup.sh) and runs every test suite. This is what CI runs (.ci/run).
# CUDA tests report themselves skipped, with the reason, on a machine without a GPU in
# tl_tests; tl_tests_emulated runs them on the host SIMT emulator (ctest label "emulated"),
# and scripts/tsan.sh runs that again under ThreadSanitizer (kernels/cuda/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
# TSan on a reduced filter (the emulator's own tests and the core ops) keeps CI short: under
# TSan the whole emulated suite takes many minutes once all kernels are in. Set
# TL_TSAN_FILTER='*' for all of it; TL_SKIP_TSAN=1 leaves the step out.
if [[ "${TL_SKIP_TSAN:-0}" != 1 ]]; then
  TL_TSAN_FILTER="${TL_TSAN_FILTER:-CudaEmulator*:CudaOps*:*CudaGemm*:CudaAllocator*}" bash scripts/tsan.sh
fi
