#!/usr/bin/env bash
# What the MOSAIC GDAL plugin costs programs that open other files: the median
# wall time of `gdalinfo` on an ordinary GeoTIFF with the plugin on
# GDAL_DRIVER_PATH and without it (a measurement, not a test: see
# tests/gdal_driver for the check that LibTorch is never loaded then).
#   bench/gdal_plugin_overhead.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-15}
file=$(cd "$(dirname "$0")/.." && pwd)/sample_data/scene/S2_stack_10m.tif
plugin_dir=$(cd "$build/gdal_driver" && pwd)
median_ms() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    GDAL_DRIVER_PATH=$1 GDAL_PAM_ENABLED=NO gdalinfo "$file" >/dev/null
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
with=$(median_ms "$plugin_dir")
without=$(median_ms "/nonexistent")
echo "gdalinfo on a GeoTIFF, median of $runs: ${with} ms with the plugin, ${without} ms without"
