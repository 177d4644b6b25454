#!/usr/bin/env bash
# Quick start: install dependencies, build, and run the main job on the
# bundled sample model.
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
