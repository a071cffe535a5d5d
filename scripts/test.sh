#!/usr/bin/env bash
# Builds tl (via setup.sh) and runs every test suite. This is what CI runs (.ci/run).
# CUDA tests report themselves skipped, with the reason, on a machine without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
