#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite:
#   1. the full build (core + GDAL geo layer + CLI; QGIS when installed);
#   2. the core-only build (MOSAIC_WITH_GDAL=OFF), as used on GPU machines
#      that have LibTorch but no GDAL.
# Exits non-zero if any build or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh

start=$(date +%s)
echo "== full build"
bash scripts/build.sh build
echo "   (full build finished after $(( $(date +%s) - start )) s)"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600

echo "== low-label experiment, quick mode (the whole train/probe/eval pipeline per preset)"
/usr/bin/python3 scripts/experiment.py --quick --build build --out build/experiments-quick

echo "== core-only build (MOSAIC_WITH_GDAL=OFF)"
bash scripts/build.sh build-core -DMOSAIC_WITH_GDAL=OFF -DMOSAIC_WITH_QGIS=OFF -DMOSAIC_BUILD_BENCH=OFF
ctest --test-dir build-core --output-on-failure -j "$(nproc)" --timeout 600
echo "== all tests passed in $(( $(date +%s) - start )) s"
