#!/usr/bin/env bash
# ThreadSanitizer run of the emulated CUDA tests: builds tl_tests_emulated with
# -fsanitize=thread into build-tsan/ and runs it under the emulator's parallel schedule, where
# the threads of a block really run at once, so a missing barrier is a data race TSan sees.
#   1. the emulated suite, but for the planted bugs, must run clean (no race reported);
#   2. the planted missing __syncthreads (CudaEmulatorPlantedBugs.*Syncthreads*, under both
#      schedules) must be reported as a data race, or the TSan run itself is not trustworthy.
#   bash scripts/tsan.sh                                   # the whole emulated suite
#   TL_TSAN_FILTER='CudaEmulator*' bash scripts/tsan.sh    # positive gtest patterns, for a shorter run
# The emulator tells TSan only the ordering CUDA guarantees (barriers, warp operations, block
# ends), not its own locking: see "Quiet" in kernels/emulator/block_run.cpp.
# The CPU reference ops use OpenMP and OpenBLAS threads, which GCC's TSan cannot see into (it
# reports false races in libgomp): both run single-threaded here.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build-tsan -G Ninja -DTL_CUDA=OFF -DTL_BUILD_BENCHMARKS=OFF -DTL_WERROR=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="-fsanitize=thread" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" > /dev/null
cmake --build build-tsan --target tl_tests_emulated -j"$(nproc)"

export TL_EMU_SCHEDULE=parallel OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export TSAN_OPTIONS="second_deadlock_stack=1 history_size=4 ${TSAN_OPTIONS:-}"

echo "tsan: the emulated suite, parallel schedule"
build-tsan/bin/tl_tests_emulated --gtest_brief=1 --gtest_filter="${TL_TSAN_FILTER:-*}-CudaEmulatorPlantedBugs.*"

echo "tsan: the planted missing barrier must be reported"
log=build-tsan/planted_race.log
if build-tsan/bin/tl_tests_emulated --gtest_also_run_disabled_tests \
     --gtest_filter='CudaEmulatorPlantedBugs.*Syncthreads*' > "$log" 2>&1; then
  echo "tsan: FAILED: the planted race ran without a report (see $log)"
  exit 1
fi
if ! grep -q "WARNING: ThreadSanitizer: data race" "$log"; then
  echo "tsan: FAILED: the planted-race run failed without a data race report (see $log)"
  exit 1
fi
# The two conflicting accesses and the kernel lines they come from.
grep -m1 -A40 "WARNING: ThreadSanitizer: data race" "$log" |
  grep -E "data race|of size|#0 tiled|Location is" | cut -c1-150 | sed 's/^/  | /'
echo "tsan: OK (suite clean, planted race reported)"
