#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run of the test suites that
# need no LibTorch: base (status, bands, label sets, manifests, the bundle
# container reader and writer, atomic files), synth (the scene generator) and
# metrics (AP, F1, clustering), built into build-asan/.
#
# Why a subset: sanitizing the LibTorch layers means compiling every LibTorch
# translation unit a third time (about 15 minutes on CI's 2 cores) and running
# the suites several times slower, which does not fit CI's 40-minute budget
# next to the full and core-only builds. Run the whole suite under sanitizers
# with:  scripts/sanitize.sh --all   (about 40 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DMOSAIC_WITH_GDAL=OFF -DMOSAIC_WITH_QGIS=OFF -DMOSAIC_BUILD_BENCH=OFF >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
# LibTorch itself is not instrumented: its containers would be reported falsely.
[ "${1:-}" = "--all" ] && ASAN_OPTIONS=$ASAN_OPTIONS:detect_container_overflow=0:detect_leaks=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ "${1:-}" = "--all" ]; then
  cmake --build build-asan -j"$(nproc)"
  ctest --test-dir build-asan --output-on-failure -j"$(nproc)" --timeout 1800
else
  targets=(mosaic_base_tests mosaic_synth_tests mosaic_metrics_tests)
  cmake --build build-asan -j"$(nproc)" --target "${targets[@]}"
  for t in "${targets[@]}"; do
    echo "== $t (ASan + UBSan)"
    ./build-asan/tests/"$t" --gtest_brief=1
  done
fi
