#!/usr/bin/env bash
# End-to-end tests of `mosaic batch` and `mosaic batch-merge`:
#   batch_test.sh CASE MOSAIC SAMPLE_DIR WORK_DIR
# CASE: resume (failure isolation, report, exit status, second run skips),
# kill (SIGKILL mid-batch, restart: outputs byte-identical to an
# uninterrupted run), shards (two shard processes + merge == one run).
# Each case works in a fresh folder under WORK_DIR; exit 0 = pass.
set -u
case_name=$1
mosaic=$2
sample=$3
work=$4/batch-$case_name
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
model=$sample/mosaic-sample.mosaic

fail() {
  echo "batch_test.sh $case_name: FAIL: $*" >&2
  exit 1
}

# Three synthetic scene pairs (one given band by band, with a cloud mask) and
# a truncated copy of a GeoTIFF; manifest.csv lists them with the corrupt one
# third.
make_scenes() {
  for seed in 1 2 3; do
    "$mosaic" synth -o "scene$seed" --size 240 --layout scene --seed "$seed" >/dev/null ||
      fail "synth seed $seed"
  done
  mkdir -p corrupt
  head -c 30000 scene1/scene/S2_stack_10m.tif >corrupt/S2_stack_10m.tif
  local bands=""
  for b in B01 B02 B03 B04 B05 B06 B07 B08 B8A B09 B11 B12; do
    bands="$bands${bands:+;}scene2/scene/S2_$b.tif"
  done
  cat >manifest.csv <<CSV
id,s2,s1,mask
alpha,scene1/scene/S2_stack_10m.tif,scene1/scene/S1_VV_VH.tif,
bravo,"$bands",scene2/scene/S1_VV_VH.tif,scene2/scene/cloud_mask.tif
broken,corrupt/S2_stack_10m.tif,scene1/scene/S1_VV_VH.tif,
charlie,scene3/scene/S2_stack_10m.tif,,
delta,scene3/scene/S2_stack_10m.tif,scene3/scene/S1_VV_VH.tif,
CSV
}

# Checksums of every file a batch leaves in scenes/ plus its labels table.
outputs_digest() {
  (cd "$1" && find scenes -type f | sort | xargs sha256sum && sha256sum labels.csv labels.json)
}

case $case_name in
resume)
  make_scenes
  "$mosaic" batch manifest.csv -o out --model "$model" >run1.log 2>&1
  status=$?
  cat run1.log
  [ $status -eq 1 ] || fail "first run exited $status, expected 1 (a scene failed)"
  python3 - out <<'PY' || fail "report check"
import json, sys, os
out = sys.argv[1]
r = json.load(open(f"{out}/reports/shard-0-of-1.json"))
st = {s["id"]: s for s in r["scenes"]}
print("statuses:", {k: v["status"] for k, v in st.items()})
assert r["scenes_in_shard"] == 5 and r["scenes_failed"] == 1
for good in ("alpha", "bravo", "charlie", "delta"):
    assert st[good]["status"] == "done", good
    for f in ("probabilities.tif", "top3.tif", "summary.json", "done.json"):
        assert os.path.isfile(f"{out}/scenes/{good}/{f}"), (good, f)
assert st["broken"]["status"] == "failed"
assert "corrupt/S2_stack_10m.tif" in st["broken"]["error"], st["broken"]["error"]
assert not os.path.exists(f"{out}/scenes/broken"), "outputs of the failed scene"
labels = json.load(open(f"{out}/labels.json"))
rows = {s["id"]: s for s in labels["scenes"]}
assert [s["id"] for s in labels["scenes"]] == sorted(rows)
assert rows["broken"]["status"] == "failed"
assert len(rows["alpha"]["classes"]) == 19 and len(labels["classes"]) == 19
assert rows["alpha"]["footprint"]["bbox_wgs84"]
csv = open(f"{out}/labels.csv").read().splitlines()
assert len(csv) == 6 and csv[0].startswith("id,status,error,labels"), csv[0]
assert all(len(l.split(",")) >= 14 for l in csv)
print("report and labels ok")
PY
  gdalinfo out/scenes/bravo/probabilities.tif | grep -q "Description = Urban fabric" ||
    fail "probabilities.tif lacks the class band descriptions"
  # Exactly what `mosaic predict` writes for the same scene (the model is loaded once here).
  "$mosaic" predict --s2 scene2/scene/S2_B0{1,2,3,4,5,6,7,8}.tif scene2/scene/S2_B8A.tif \
    scene2/scene/S2_B09.tif scene2/scene/S2_B1{1,2}.tif --s1 scene2/scene/S1_VV_VH.tif \
    --s2-mask scene2/scene/cloud_mask.tif --model "$model" -o p.tif --topk-output t.tif -q ||
    fail "predict"
  cmp p.tif out/scenes/bravo/probabilities.tif || fail "batch and predict probabilities differ"
  cmp t.tif out/scenes/bravo/top3.tif || fail "batch and predict top-3 rasters differ"
  outputs_digest out >digest1.txt
  stat -c '%n %Y' out/scenes/*/* >mtimes1.txt
  # Second run with the same manifest as JSON: finished scenes are verified and skipped.
  python3 - <<'PY'
import csv, json
rows = list(csv.DictReader(open("manifest.csv")))
json.dump({"scenes": [{"id": r["id"], "s2": r["s2"].split(";"), "s1": r["s1"] or None,
                       "mask": r["mask"]} for r in rows]}, open("manifest.json", "w"))
PY
  "$mosaic" batch manifest.json -o out --model "$model" >run2.log 2>&1
  status=$?
  cat run2.log
  [ $status -eq 1 ] || fail "second run exited $status, expected 1"
  grep -q "0 done, 4 skipped (already complete), 1 failed" run2.log || fail "second run did not skip"
  stat -c '%n %Y' out/scenes/*/* >mtimes2.txt
  cmp -s mtimes1.txt mtimes2.txt || fail "finished scenes were rewritten"
  outputs_digest out >digest2.txt
  cmp -s digest1.txt digest2.txt || fail "outputs changed on the second run"
  # A damaged output is detected and that scene alone is redone.
  head -c 1000 out/scenes/charlie/top3.tif >out/scenes/charlie/top3.tmp &&
    mv out/scenes/charlie/top3.tmp out/scenes/charlie/top3.tif
  "$mosaic" batch manifest.csv -o out --model "$model" >run3.log 2>&1
  cat run3.log
  grep -q "charlie: done (redone: .*top3.tif" run3.log || fail "damaged scene not redone"
  grep -q "1 done, 3 skipped" run3.log || fail "third run: expected 1 done, 3 skipped"
  outputs_digest out >digest3.txt
  cmp -s digest1.txt digest3.txt || fail "redone scene differs from the first run"
  # Changed options redo everything.
  "$mosaic" batch manifest.csv -o out --model "$model" --topk 2 -q
  [ -f out/scenes/alpha/top2.tif ] || fail "--topk 2 did not redo the scenes"
  echo "resume: ok"
  ;;
kill)
  make_scenes
  # Small stride: about 1-2 s per scene, so the kill lands inside the batch.
  opts=(--model "$model" --stride 6 --threads 1)
  "$mosaic" batch manifest.csv -o ref "${opts[@]}" -q
  [ $? -eq 1 ] || fail "reference run: expected exit 1 (the corrupt scene)"
  "$mosaic" batch manifest.csv -o out "${opts[@]}" -q &
  pid=$!
  for _ in $(seq 1 600); do
    n=$(ls out/scenes/*/done.json 2>/dev/null | wc -l)
    [ "$n" -ge 1 ] && break
    sleep 0.05
  done
  sleep 0.5
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  n=$(ls out/scenes/*/done.json 2>/dev/null | wc -l)
  tmp=$(find out -name '.*' -type f | wc -l)
  echo "killed with $n of 4 scenes finished, $tmp temporary file(s) left"
  [ "$n" -ge 1 ] && [ "$n" -lt 4 ] || echo "note: the kill did not land mid-batch ($n done)"
  "$mosaic" batch manifest.csv -o out "${opts[@]}" >restart.log 2>&1
  status=$?
  cat restart.log
  [ $status -eq 1 ] || fail "restart exited $status, expected 1"
  grep -q "$((4 - n)) done, $n skipped" restart.log || fail "restart did not resume"
  [ "$(find out -name '.*' -type f | wc -l)" -eq 0 ] || fail "temporary files left"
  outputs_digest ref >ref.txt
  outputs_digest out >out.txt
  diff ref.txt out.txt || fail "outputs differ from the uninterrupted run"
  echo "kill: $(wc -l <out.txt) files byte-identical to the uninterrupted run"
  ;;
shards)
  make_scenes
  "$mosaic" batch manifest.csv -o whole --model "$model" -q
  [ $? -eq 1 ] || fail "unsharded run: expected exit 1"
  # Shard 0 from a Slurm array (ids 1-2), shard 1 from a Kubernetes Indexed Job.
  SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=2 \
    "$mosaic" batch manifest.csv -o sharded --model "$model" >shard0.log 2>&1 &
  p0=$!
  JOB_COMPLETION_INDEX=1 "$mosaic" batch manifest.csv -o sharded --model "$model" \
    --shard-count 2 >shard1.log 2>&1 &
  p1=$!
  wait $p0
  s0=$?
  wait $p1
  s1=$?
  cat shard0.log shard1.log
  grep -q "shard 0/2: 3 of 5 scenes" shard0.log || fail "shard 0 did not get scenes 0, 2, 4"
  grep -q "shard 1/2: 2 of 5 scenes" shard1.log || fail "shard 1 did not get scenes 1, 3"
  [ $s0 -eq 1 ] || fail "shard 0 (with the corrupt scene) exited $s0, expected 1"
  [ $s1 -eq 0 ] || fail "shard 1 exited $s1, expected 0"
  "$mosaic" batch-merge sharded || fail "batch-merge exited $?"
  cmp sharded/labels.csv whole/labels.csv || fail "merged CSV differs from the unsharded run"
  cmp sharded/labels.json whole/labels.json || fail "merged JSON differs from the unsharded run"
  # --shard wins over the environment; merging the unsharded run reproduces its table.
  "$mosaic" batch-merge whole -o merged_whole -q || fail "merge of the unsharded run"
  cmp merged_whole.csv whole/labels.csv || fail "merge of one run differs from its table"
  "$mosaic" batch manifest.csv -o bad --model "$model" --shard 2/2 2>&1 |
    grep -q "expected I/N with 0 <= I < N" || fail "--shard 2/2 accepted"
  echo "shards: merged table identical to the unsharded run ($(wc -l <whole/labels.csv) lines)"
  ;;
*)
  fail "unknown case"
  ;;
esac
