#!/usr/bin/env bash
# One-command GPU check, run on a GPU machine with only the CUDA toolkit:
#   bash tools/gpu_check.sh OUT_DIR [BUNDLE_DIR]
# Uses a prebuilt sm_90 bundle (tools/make_gpu_bundle.sh) when BUNDLE_DIR (default: bundle)
# exists, else builds one (needs the Debian dependencies, so normally on a dev machine).
# Runs the GPU tests and the benchmarks, writes logs and summary.md to OUT_DIR and prints a
# short table last. Budget: 8 minutes; each step has its own timeout.
set -uo pipefail
out=${1:?usage: gpu_check.sh OUT_DIR [BUNDLE_DIR]}
here=$(cd "$(dirname "$0")/.." && pwd)
bundle=${2:-$here/bundle}
[[ -d "$bundle/bin" ]] || bundle=$here  # the script itself may live inside the bundle
mkdir -p "$out"
[[ -x "$bundle/bin/tl_tests" ]] || { echo "no bundle at $bundle: building one"; bash "$here/tools/make_gpu_bundle.sh" "$bundle" >"$out/build.log" 2>&1 || { echo "bundle build failed, see $out/build.log"; exit 1; }; }

# The machine's cuBLAS and cuDNN, plus the bundle's own libraries.
libdirs=$bundle/lib
for lib in libcublas.so.13 libcudnn.so.9; do
  found=$(find / -name "$lib*" -not -path '*/proc/*' 2>/dev/null | head -n 1)
  [[ -n "$found" ]] && libdirs=$libdirs:$(dirname "$found")
done
export LD_LIBRARY_PATH=$libdirs:${LD_LIBRARY_PATH:-}
export TL_TEST_DATA_DIR=$bundle/data

summary=$out/summary.md
{
  echo "# tl GPU check"
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- commit: $(cat "$bundle/COMMIT" 2>/dev/null || echo unknown)"
  echo "- GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'nvidia-smi failed')"
  echo
} >"$summary"
nvidia-smi >"$out/nvidia-smi.txt" 2>&1

run_step() {  # name timeout_seconds command...
  local name=$1 limit=$2
  shift 2
  local start=$SECONDS
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  echo "| $name | $([[ $rc == 0 ]] && echo ok || echo "FAILED (rc $rc)") | $((SECONDS - start)) s |" >>"$out/steps.md"
  return $rc
}
echo "| step | result | time |" >"$out/steps.md"
echo "|---|---|---|" >>"$out/steps.md"

run_step gpu_tests 240 "$bundle/bin/tl_tests" --gtest_filter='*Cuda*:*cuda*:*Gpu*' --gtest_brief=1
for bench in "$bundle"/bin/bench_*; do
  [[ -x "$bench" ]] || continue
  run_step "$(basename "$bench")" 120 "$bench"
done
run_step tl_bench_bf16 90 "$bundle/bin/tl" bench --device cuda --precision bf16 --batch 64 --repeats 5
if [[ -f "$bundle/tools/bench_torch_resnet50.py" ]] && python3 -c 'import torch' 2>/dev/null; then
  run_step torch_resnet50 120 python3 "$bundle/tools/bench_torch_resnet50.py"
fi

{
  echo "## Steps"
  cat "$out/steps.md"
  echo
  echo "## GPU tests"
  echo '```'
  grep -E '^\[  (PASSED|FAILED|SKIPPED) |tests? ran|FAILED TEST' "$out/gpu_tests.log" | tail -n 40
  echo '```'
  for log in "$out"/bench_*.log "$out"/tl_bench_bf16.log "$out"/torch_resnet50.log; do
    [[ -f "$log" ]] || continue
    echo "## $(basename "$log" .log)"
    echo '```'
    cat "$log"
    echo '```'
  done
} >>"$summary"
cat "$out/steps.md"
