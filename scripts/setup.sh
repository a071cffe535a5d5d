#!/usr/bin/env bash
# Installs tl's Debian packages (idempotently: apt-get runs only when one is missing) and
# builds tl with all cores into build/.
#   bash scripts/setup.sh            # Release build, CUDA on when nvcc is found
#   TL_CMAKE_ARGS="-DTL_CUDA=OFF" bash scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libhdf5-dev libstb-dev libopenblas-dev zlib1g-dev
  libcli11-dev nlohmann-json3-dev
  googletest libgtest-dev libbenchmark-dev
  dataset-fashion-mnist
  clang libclang-rt-14-dev libomp-14-dev  # scripts/fuzz.sh (libFuzzer, sanitizers)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# nvcc lives outside PATH on a fresh machine.
if ! command -v nvcc >/dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi

werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON
# shellcheck disable=SC2086
cmake -S . -B build -G Ninja -DTL_WERROR=$werror ${TL_CMAKE_ARGS:-}
cmake --build build -j"$(nproc)"
