#!/usr/bin/env bash
# Scene engine scaling: time, throughput and peak RSS (VmHWM) per scene size,
# each size in a fresh process (bench/scene_rss_probe.cpp), as a Markdown table.
#
#   bench/scene_scaling.sh [BUILD_DIR]          sizes 1024 2048 4096
#   MOSAIC_BENCH_FULL=1 bench/scene_scaling.sh  ... and 10980 (a full S2 tile; ~10 GB of disk
#                                               and several minutes to generate)
#   MOSAIC_BENCH_SIZES="1024 2048"              any list of sizes
#   MOSAIC_BENCH_SCENE_DIR=DIR                  where scenes are generated and kept
#                                               (default: a temporary folder, removed)
#   MOSAIC_BENCH_DEVICE=cuda                    device (default cpu)
#   MOSAIC_BENCH_OUT=FILE                       also write the table to FILE
set -euo pipefail

build_dir=${1:-build}
probe="$build_dir/bench/mosaic_scene_rss_probe"
if [[ ! -x $probe ]]; then
  echo "error: $probe not found; build it with: cmake --build $build_dir --target mosaic_scene_rss_probe" >&2
  exit 1
fi

sizes=${MOSAIC_BENCH_SIZES:-"1024 2048 4096"}
if [[ ${MOSAIC_BENCH_FULL:-0} == 1 ]]; then sizes="$sizes 10980"; fi
device=${MOSAIC_BENCH_DEVICE:-cpu}

if [[ -n ${MOSAIC_BENCH_SCENE_DIR:-} ]]; then
  scene_dir=$MOSAIC_BENCH_SCENE_DIR
  mkdir -p "$scene_dir"
else
  scene_dir=$(mktemp -d "${TMPDIR:-/tmp}/mosaic-scene-scaling-XXXXXX")
  trap 'rm -rf "$scene_dir"' EXIT
fi

rows=()
for size in $sizes; do
  echo "== ${size} x ${size}: generating (once)" >&2
  "$probe" generate --size "$size" --dir "$scene_dir" >/dev/null
  echo "== ${size} x ${size}: predicting on $device" >&2
  json=$("$probe" run --size "$size" --dir "$scene_dir" --device "$device")
  echo "$json" >&2
  rows+=("$json")
done

results=$(mktemp)
printf '%s\n' "${rows[@]}" >"$results"
table=$(python3 - "$results" <<'EOF'
import json, sys
print("| scene (px) | km² | patches | seconds | km²/s | patches/s | read / infer / write s | peak RSS (MiB) | RSS before run (MiB) |")
print("|---|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    n = r["size"]
    print("| %d x %d | %.1f | %d | %.2f | %.2f | %.1f | %.1f / %.1f / %.1f | %.0f | %.0f |" % (
        n, n, n * n * 1e-4, r["patches"], r["seconds"], r["km2_per_s"], r["patches_per_s"],
        r["read_s"], r["infer_s"], r["write_s"], r["vmhwm_kb"] / 1024, r["vmhwm_before_kb"] / 1024))
EOF
)
rm -f "$results"
echo
echo "Scene engine scaling (device $device, $(nproc) CPUs; stride 60, Hann, float32, dense)"
echo
echo "$table"
if [[ -n ${MOSAIC_BENCH_OUT:-} ]]; then echo "$table" >"$MOSAIC_BENCH_OUT"; fi
