#!/usr/bin/env bash
# Builds tl for Hopper (sm_90) and collects everything the GPU check needs into a folder that
# git ignores, for a GPU machine that has only the CUDA toolkit (see ../shared/gpu/README.md):
#   bundle/bin/   test and benchmark executables, tl
#   bundle/lib/   the shared libraries they need, except glibc's, libcuda and the large CUDA
#                 libraries (cuBLAS, cuBLASLt, cuDNN) that the GPU machine has
#   bundle/data/  the test fixtures
#   bundle/tools/ the scripts run there (gpu_check.sh, PyTorch side-by-side benchmark)
# Usage: bash tools/make_gpu_bundle.sh [BUNDLE_DIR]     (default: bundle)
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-bundle}
export PATH=/usr/local/cuda/bin:$PATH

cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DTL_EMULATOR=OFF >/dev/null
cmake --build build-gpu -j"$(nproc)"

rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib" "$bundle/data" "$bundle/tools"
for exe in build-gpu/bin/*; do
  [[ -x "$exe" && -f "$exe" ]] || continue
  case "$(basename "$exe")" in *emulated*) continue ;; esac
  cp "$exe" "$bundle/bin/"
  strip --strip-debug "$bundle/bin/$(basename "$exe")" 2>/dev/null || true
done
# Shared libraries, minus the C library family, the driver and the big CUDA libraries.
skip='^(linux-vdso|ld-linux|libc\.|libm\.|libdl\.|libpthread\.|librt\.|libgcc_s|libstdc\+\+|libcuda\.|libcublas|libcublasLt|libcudnn)'
ldd "$bundle"/bin/* 2>/dev/null | awk '/=> \// {print $1, $3}' | sort -u | while read -r name path; do
  [[ "$name" =~ $skip ]] && continue
  cp -L "$path" "$bundle/lib/$name"
done
cp -r tests/data/. "$bundle/data/"
cp tools/gpu_check.sh "$bundle/tools/"
[[ -f tools/bench_torch_resnet50.py ]] && cp tools/bench_torch_resnet50.py "$bundle/tools/"
git rev-parse HEAD >"$bundle/COMMIT" 2>/dev/null || echo unknown >"$bundle/COMMIT"
du -sh "$bundle"
