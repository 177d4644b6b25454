#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite:
#   1. the full build (core + GDAL geo layer + CLI + GDAL plugin + QGIS
#      provider) and every test (CTest);
#   2. the low-label experiment in quick mode;
#   3. AddressSanitizer + UBSan on the LibTorch-free suites, and a short run
#      of every fuzz target (docs/reliability.md);
#   4. the core-only configuration (MOSAIC_WITH_GDAL=OFF) that GPU machines
#      without GDAL use: built and smoke-tested (its test sources already ran
#      in step 1; building them twice would not fit CI's time budget).
# Exits non-zero if any build or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh

start=$(date +%s)
# Disk is the first thing a CI machine runs out of: say how much there was.
df -h . | sed 's/^/   /'
elapsed() { echo "   ($1 after $(($(date +%s) - start)) s)"; }
echo "== full build"
bash scripts/build.sh build
elapsed "full build finished"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600
elapsed "tests finished"

echo "== low-label experiment, quick mode (the whole train/probe/eval pipeline per preset)"
/usr/bin/python3 scripts/experiment.py --quick --build build --out build/experiments-quick

echo "== sanitizers (ASan + UBSan) and fuzz smoke runs"
bash scripts/sanitize.sh
bash scripts/fuzz.sh "${MOSAIC_FUZZ_SECONDS:-15}"
elapsed "sanitizers and fuzzing finished"

echo "== core-only build (MOSAIC_WITH_GDAL=OFF): builds, loads and runs the sample model"
bash scripts/build.sh build-core -DMOSAIC_WITH_GDAL=OFF -DMOSAIC_WITH_QGIS=OFF \
  -DMOSAIC_BUILD_BENCH=OFF -DMOSAIC_BUILD_TESTS=OFF
build-core/cli/mosaic info --verify sample_data/mosaic-sample.mosaic >/dev/null
build-core/cli/mosaic demo sample_data/mosaic-sample.mosaic
du -sh build build-asan build-fuzz build-core 2>/dev/null | sed 's/^/   disk used: /' || true
echo "== all tests passed in $(($(date +%s) - start)) s"
