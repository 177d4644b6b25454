#!/usr/bin/env bash
# Regenerates the bundled sample scene, sample_data/scene/, with `mosaic synth`:
# a synthetic 600 x 600 px (6 x 6 km, 10 m) Sentinel-1/2 scene with a little
# cloud, the input of `mosaic predict` without arguments. Deterministic: the
# same build writes the same pixels.
#   scripts/make-sample-scene.sh [MOSAIC_BINARY]   (default: build/cli/mosaic)
set -euo pipefail
cd "$(dirname "$0")/.."
mosaic=${1:-build/cli/mosaic}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$mosaic" synth -o "$work/synth" --layout scene --size 600 --seed 2027 --cloud-fraction 0.1

mkdir -p sample_data/scene
rm -f sample_data/scene/*
for f in S2_stack_10m.tif S1_VV_VH.tif cloud_mask.tif cloud_mask.tif.aux.xml \
         land_cover.tif land_cover.tif.aux.xml; do
  cp "$work/synth/scene/$f" sample_data/scene/
done
du -h sample_data/scene/*
echo "wrote sample_data/scene"
