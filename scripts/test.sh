#!/usr/bin/env bash
# Builds tl (via setup.sh) and runs every test suite. This is what CI runs (.ci/run).
# CUDA tests report themselves skipped, with the reason, on a machine without a GPU.
# Then the untrusted-input checks: the whole suite under ASan + UBSan (scripts/sanitize.sh)
# and every fuzzer for TL_FUZZ_SECONDS each (scripts/fuzz.sh; 30 by default).
# TL_UNTRUSTED_CHECKS=0 skips those two (a quick local run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
if [[ "${TL_UNTRUSTED_CHECKS:-1}" != 0 ]]; then
  bash scripts/sanitize.sh
  bash scripts/fuzz.sh "${TL_FUZZ_SECONDS:-30}"
fi
