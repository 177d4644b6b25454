#!/usr/bin/env bash
# `mosaic synth --scenes T,V,E`: a multi-scene BigEarthNet v2 benchmark split
# by scene, read back by the v2 reader.
#   synth_benchmark_test.sh MOSAIC WORK_DIR
set -u
mosaic=$1
work=$2/synth-benchmark
rm -rf "$work"
mkdir -p "$work"

fail() {
  echo "synth_benchmark_test.sh: FAIL: $*" >&2
  exit 1
}

# 240 px scenes hold 2 x 2 patches: 2 train, 1 validation, 1 test scene.
"$mosaic" synth -o "$work/bench" --size 240 --seed 11 --scenes 2,1,1 || fail "synth exited $?"
root=$work/bench/bigearthnet-v2
[ -f "$work/bench/scenes.json" ] || fail "no scenes.json"

# Independent check of the table: 16 patches, unique ids, 4 scenes (tiles),
# every scene in exactly one split, 8 / 4 / 4 per split, seeds 11..14.
python3 - "$root/metadata.csv" "$work/bench/scenes.json" <<'PY' || fail "metadata check"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 16, len(rows)
ids = [r["patch_id"] for r in rows]
assert len(set(ids)) == 16, "duplicate patch ids"
split_of_tile = {}
for r in rows:
    tile = r["patch_id"].split("_")[5]
    split_of_tile.setdefault(tile, set()).add(r["split"])
assert len(split_of_tile) == 4, split_of_tile
assert all(len(s) == 1 for s in split_of_tile.values()), split_of_tile
counts = {}
for r in rows:
    counts[r["split"]] = counts.get(r["split"], 0) + 1
assert counts == {"train": 8, "validation": 4, "test": 4}, counts
scenes = json.load(open(sys.argv[2]))
assert [s["seed"] for s in scenes] == [11, 12, 13, 14], scenes
assert [s["split"] for s in scenes] == ["train", "train", "validation", "test"], scenes
assert len({len(s["tile"]) for s in scenes}) == 1 and len({s["tile"] for s in scenes}) == 4
PY

# The v2 reader opens the merged folder and finds each split.
"$mosaic" stats "bigearthnet-v2:$root" --split test --json > "$work/test.json" ||
  fail "stats on the test split exited $?"
grep -q '"num_samples": 4' "$work/test.json" || fail "test split is not 4 patches"
"$mosaic" stats "bigearthnet-v2:$root" --split train --json > "$work/train.json" ||
  fail "stats on the train split exited $?"
grep -q '"num_samples": 8' "$work/train.json" || fail "train split is not 8 patches"

# Distinct seeds give distinct scenes: the two training scenes' first patch differs.
a=$(find "$root/BigEarthNet-S2" -name '*_0_0_B04.tif' | sort | head -1)
b=$(find "$root/BigEarthNet-S2" -name '*_0_0_B04.tif' | sort | sed -n 2p)
[ -n "$a" ] && [ -n "$b" ] || fail "patch files not found"
cmp -s "$a" "$b" && fail "two scenes wrote identical pixels"

# Bad counts are one clear error and leave nothing behind.
out=$("$mosaic" synth -o "$work/bad" --size 240 --scenes 1,1 2>&1) && fail "--scenes 1,1 accepted"
[ -e "$work/bad" ] && fail "a failed synth left $work/bad"
out=$("$mosaic" synth -o "$work/bad" --size 240 --scenes 0,0,0 2>&1) && fail "--scenes 0,0,0 accepted"
grep -q "scenes" <<<"$out" || fail "unclear message: $out"
[ -e "$work/bad" ] && fail "a failed synth left $work/bad"
echo "synth_benchmark_test.sh: all checks passed"
