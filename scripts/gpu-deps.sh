#!/bin/bash
# Gathers, from this Debian machine, the build dependencies that GPU machines
# (CUDA PyTorch, no Debian packages) lack, for scripts/gpu-check.sh:
#   DIR/googletest  Debian's googletest sources
#   DIR/nl          nlohmann-json headers and CMake package files
# Usage: scripts/gpu-deps.sh [DIR]   (default: build-gpudeps, git-ignored)
set -euo pipefail
dir=${1:-build-gpudeps}
rm -rf "$dir"
mkdir -p "$dir/nl/include" "$dir/nl/share/cmake"
cp -r /usr/src/googletest "$dir/googletest"
cp -r /usr/include/nlohmann "$dir/nl/include/"
cp -r /usr/share/cmake/nlohmann_json "$dir/nl/share/cmake/"
du -sh "$dir"
