#!/usr/bin/env bash
# End-to-end tests of `mosaic predict` that need more than one command:
#   predict_test.sh CASE MOSAIC SAMPLE_DIR WORK_DIR
# CASE is one of sample, overwrite, sigint, default. Each case works in its
# own fresh folder under WORK_DIR and prints what it checks; exit 0 = pass.
set -u
case_name=$1
mosaic=$2
sample=$3
work=$4/predict-$case_name
rm -rf "$work"
mkdir -p "$work"

fail() {
  echo "predict_test.sh $case_name: FAIL: $*" >&2
  exit 1
}

model=$sample/mosaic-sample.mosaic
s2=$sample/scene/S2_stack_10m.tif
s1=$sample/scene/S1_VV_VH.tif
mask=$sample/scene/cloud_mask.tif

case $case_name in
sample)
  # The sample scene with a small stride: a georeferenced 19-band raster
  # whose band descriptions are the class names, read back by GDAL's gdalinfo.
  out=$work/prob.tif
  "$mosaic" predict --s2 "$s2" --s1 "$s1" --s2-mask "$mask" --s2-mask-invalid 1 2 \
    --model "$model" -o "$out" --stride 40 --topk-output "$work/top.tif" ||
    fail "predict exited $?"
  [ -f "$out" ] || fail "$out not written"
  gdalinfo -json "$out" >"$work/info.json" || fail "gdalinfo cannot read $out"
  gdalinfo -json "$s2" >"$work/s2.json" || fail "gdalinfo cannot read $s2"
  python3 - "$work/info.json" "$work/s2.json" <<'EOF' || fail "gdalinfo -json check"
import json, sys
out = json.load(open(sys.argv[1]))
s2 = json.load(open(sys.argv[2]))
def epsg(info):
    return info.get("stac", {}).get("proj:epsg")
checks = [
    ("size", out["size"] == s2["size"], out["size"], s2["size"]),
    ("EPSG", epsg(out) == epsg(s2) == 32633, epsg(out), epsg(s2)),
    ("geotransform", out["geoTransform"] == s2["geoTransform"], out["geoTransform"],
     s2["geoTransform"]),
    ("band count", len(out["bands"]) == 19, len(out["bands"]), 19),
    ("first class", out["bands"][0].get("description") == "Urban fabric",
     out["bands"][0].get("description"), "Urban fabric"),
    ("last class", out["bands"][18].get("description") == "Marine waters",
     out["bands"][18].get("description"), "Marine waters"),
    ("all named", all(b.get("description") for b in out["bands"]), "", ""),
    ("nodata", all(b.get("noDataValue") == -1.0 for b in out["bands"]),
     out["bands"][0].get("noDataValue"), -1.0),
    ("type", all(b["type"] == "Float32" for b in out["bands"]), out["bands"][0]["type"],
     "Float32"),
]
bad = False
for name, ok, got, want in checks:
    print(f"{'ok ' if ok else 'BAD'} {name}: {got} (want {want})")
    bad |= not ok
sys.exit(1 if bad else 0)
EOF
  ;;

overwrite)
  # An existing output without --overwrite: exit 1, the file is untouched.
  out=$work/prob.tif
  "$mosaic" predict --s2 "$s2" --model "$model" -o "$out" -q || fail "first run exited $?"
  before=$(md5sum <"$out")
  msg=$("$mosaic" predict --s2 "$s2" --s1 "$s1" --model "$model" -o "$out" 2>&1)
  status=$?
  echo "$msg"
  [ $status -eq 1 ] || fail "second run exited $status, expected 1"
  grep -q "file exists; pass --overwrite" <<<"$msg" || fail "no 'pass --overwrite' message"
  [ "$(md5sum <"$out")" = "$before" ] || fail "$out changed"
  ls -A "$work" | grep -q '\.part-' && fail "temporary files left: $(ls -A "$work")"
  # With --overwrite it is replaced.
  "$mosaic" predict --s2 "$s2" --s1 "$s1" --model "$model" -o "$out" -q --overwrite ||
    fail "--overwrite run exited $?"
  [ "$(md5sum <"$out")" != "$before" ] || fail "$out not replaced (S1 added, same bytes?)"
  echo "ok: refused without --overwrite, file unchanged; replaced with --overwrite"
  ;;

sigint)
  # SIGINT while a larger scene is running: exit 130, no output and no
  # temporary file left in the output folder.
  "$mosaic" synth -o "$work/synth" --layout scene --size 1200 --seed 3 >/dev/null ||
    fail "synth exited $?"
  mkdir -p "$work/out"
  (cd "$work/out" && exec "$mosaic" predict --s2 ../synth/scene/S2_stack_10m.tif \
    --s1 ../synth/scene/S1_VV_VH.tif --model "$model" -o prob.tif --topk-output top.tif \
    --summary summary.json --stride 20 >../stdout.txt 2>../stderr.txt) &
  pid=$!
  # Wait until the progress line has started (the handler is installed by
  # then), at most 60 s, then about a second more.
  for _ in $(seq 600); do
    [ -s "$work/stderr.txt" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  sleep 1
  kill -INT $pid 2>/dev/null || fail "predict ended before the signal: $(cat "$work/stderr.txt")"
  wait $pid
  status=$?
  cat "$work/stdout.txt" "$work/stderr.txt"
  [ $status -eq 130 ] || fail "exited $status, expected 130"
  grep -q "mosaic predict: cancelled; no output written" "$work/stderr.txt" ||
    fail "no cancellation message"
  left=$(ls -A "$work/out")
  [ -z "$left" ] || fail "files left behind: $left"
  echo "ok: exit 130, output folder empty"
  ;;

default)
  # No arguments: the sample scene into ./mosaic-predict-out/ (twice: the
  # default outputs may be overwritten).
  cd "$work" || fail "cd $work"
  for run in 1 2; do
    msg=$("$mosaic" predict 2>&1)
    status=$?
    echo "$msg"
    [ $status -eq 0 ] || fail "run $run exited $status"
  done
  for f in mosaic-sample-probabilities.tif mosaic-sample-top3.tif mosaic-sample-summary.json; do
    [ -s "mosaic-predict-out/$f" ] || fail "mosaic-predict-out/$f not written"
    grep -q "mosaic-predict-out/$f" <<<"$msg" || fail "the report does not name $f"
  done
  grep -Eq "0\.\.\.10\.\.\.20\.\.\.30\.\.\.40\.\.\.50\.\.\.60\.\.\.70\.\.\.80\.\.\.90\.\.\.100 - done\." <<<"$msg" ||
    fail "no GDAL-style progress line"
  echo "ok: default outputs written"
  ;;

*)
  fail "unknown case"
  ;;
esac
