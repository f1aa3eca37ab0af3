#!/usr/bin/env bash
# Installs every Debian 12 package disco needs (skipping those present), makes
# OpenBLAS the active BLAS and reports the matrix-product speed LibTorch will
# get. Idempotent: run it as often as you like. Needs root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config git
  lld                                  # a faster linker than GNU ld (CMakeLists.txt)
  libtorch-dev libopenblas0-pthread    # LibTorch, and a fast BLAS beneath it
  libcli11-dev nlohmann-json3-dev libzip-dev
  libeigen3-dev                        # vectorised exp/tanh for core/simd_rows
  googletest libgtest-dev libbenchmark-dev
  gnuplot-nox                          # `disco plot`
  libopenmpi-dev openmpi-bin           # `mpirun -np K disco meta-train` (src/dist)
  python3-numpy                        # tests check that NumPy reads our .npz files
  python3-dev pybind11-dev python3-torch python3-pytest   # `import disco` (apps/python, python/)
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: run as root or install sudo" >&2; exit 1; }
  SUDO=sudo
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup.sh: all ${#PACKAGES[@]} packages present"
fi

# LibTorch links libblas.so.3, which Debian's alternatives system points at
# some installed BLAS; the reference BLAS is ~35x slower than OpenBLAS.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
for lib in libblas.so.3 liblapack.so.3; do
  target=/usr/lib/$arch/openblas-pthread/$lib
  if [ -e "$target" ]; then
    $SUDO update-alternatives --set "$lib-$arch" "$target" >/dev/null
  fi
done

# Measure what libblas.so.3 delivers now.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
cc -O2 -o "$check/blas_check" scripts/blas_check.c -l:libblas.so.3 -lm
gflops=$("$check/blas_check")
echo "setup.sh: BLAS ($(readlink -f /usr/lib/$arch/libblas.so.3)): 1024x1024 float matrix product at $gflops GFLOP/s"
if awk -v g="$gflops" 'BEGIN { exit !(g < 30) }'; then
  cat >&2 <<MSG

  ************************************************************************
  WARNING: matrix products run at only $gflops GFLOP/s (< 30).
  LibTorch is probably using the reference BLAS. Install libopenblas0-pthread
  and select it:  update-alternatives --config libblas.so.3-$arch
  Training will be many times slower until then.
  ************************************************************************

MSG
fi
