#!/usr/bin/env bash
# Quick start: install dependencies, build, and run the main job on the
# bundled sample model and scene.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh
bash scripts/build.sh build

sample=sample_data/mosaic-sample.mosaic
echo
echo "== mosaic info $sample"
./build/cli/mosaic info --verify "$sample"
echo
echo "== mosaic demo $sample"
./build/cli/mosaic demo "$sample" --batch-size 4
echo
echo "== mosaic predict (no arguments: the bundled sample scene, sample_data/scene)"
# Run inside build/ so that the outputs (build/mosaic-predict-out/) stay out of git.
(cd build && ./cli/mosaic predict)
