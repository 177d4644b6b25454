#!/usr/bin/env bash
# Configures and builds MoSAiC.
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
# Defaults: BUILD_DIR=build, all components that the machine supports.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
shift || true
jobs=${MOSAIC_JOBS:-$(nproc)}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
elif [ $# -gt 0 ]; then
  cmake -S . -B "$build_dir" "$@"
fi
cmake --build "$build_dir" -j "$jobs"
