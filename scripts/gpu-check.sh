#!/bin/bash
# GPU check: builds the core (no GDAL, no CLI) against the LibTorch inside the
# machine's CUDA PyTorch, runs the CUDA tests and the device benchmark.
#
#   scripts/gpu-check.sh DEPS_DIR OUT_DIR
#
# DEPS_DIR holds what such machines lack: googletest/ (Debian's
# /usr/src/googletest) and nl/ (nlohmann-json: include/ and share/cmake/).
# Make it here with scripts/gpu-deps.sh. The build goes to $MOSAIC_GPU_BUILD
# (default /tmp/b) and is reused by later runs on the same machine.
set -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps=$(cd "${1:?usage: gpu-check.sh DEPS_DIR OUT_DIR}" && pwd)
out=${2:?usage: gpu-check.sh DEPS_DIR OUT_DIR}
build=${MOSAIC_GPU_BUILD:-/tmp/b}
mkdir -p "$out"
nvidia-smi -L
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
if [ ! -d /tmp/gt ]; then
  cmake -S "$deps/googletest" -B /tmp/gtb -G Ninja -DCMAKE_INSTALL_PREFIX=/tmp/gt \
    -DBUILD_GMOCK=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    cmake --build /tmp/gtb >/dev/null && cmake --install /tmp/gtb >/dev/null ||
    { echo "googletest build failed"; exit 1; }
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_PREFIX_PATH="$torch_prefix;/tmp/gt;$deps/nl" \
  -DMOSAIC_WITH_GDAL=OFF -DMOSAIC_BUILD_CLI=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTORCH_CUDA_ARCH_LIST=9.0 -DMOSAIC_SHARED_DATA_DIR=/tmp >"$out/configure.log" 2>&1 ||
  { tail -30 "$out/configure.log"; exit 1; }
date
cmake --build "$build" -j"$(nproc)" -- -k 0 \
  mosaic_bench_device mosaic_core_tests mosaic_train_tests mosaic_nn_tests >"$out/build.log" 2>&1
grep -E "error:|FAILED" "$out/build.log" | head -20
date
# libstdc++ must come before LibTorch in the lookup order (see mosaic_torch in CMakeLists.txt).
readelf -d "$build/tests/mosaic_core_tests" | grep NEEDED | head -4
# Tests that take the CUDA path when a GPU is present (they skip on CPU machines).
for t in core nn train; do
  bin=$build/tests/mosaic_${t}_tests
  filter='*'
  [ "$t" = train ] && filter='*Precision*:*Autocast*:*Scaler*:*Cuda*:Trainer.*'
  [ -x "$bin" ] && timeout 240 "$bin" --gtest_brief=1 --gtest_filter="$filter" 2>&1 | tail -12 |
    tee -a "$out/tests.log"
done
timeout 400 "$build/bench/mosaic_bench_device" --device cuda ${MOSAIC_GPU_QUICK:+--quick} \
  --json "$out/device-bench-cuda.json" | tee "$out/device-bench.log"
date
