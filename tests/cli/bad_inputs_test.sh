#!/usr/bin/env bash
# The bad-input matrix of `mosaic predict` (docs/reliability.md): every case
# must end with exit status 1 (not a crash or a signal), one message that
# names the file or option at fault, and no output or temporary file left in
# the output folder; an existing output must survive byte for byte.
#   bad_inputs_test.sh CASE MOSAIC SAMPLE_DIR WORK_DIR
# Fixtures are made with GDAL's own tools (gdal_translate, gdal_create,
# gdal_edit.py) from the bundled sample scene.
set -u
case_name=$1
mosaic=$2
sample=$3
work=$4/bad-$case_name
rm -rf "$work"
mkdir -p "$work/in" "$work/out"

model=$sample/mosaic-sample.mosaic
s2=$sample/scene/S2_stack_10m.tif
s1=$sample/scene/S1_VV_VH.tif
out=$work/out/prob.tif

fail() {
  echo "bad_inputs_test.sh $case_name: FAIL: $*" >&2
  exit 1
}

# expect_refusal PATTERN -- ARGS...: mosaic predict ARGS must exit 1 with a
# message matching PATTERN and leave work/out as it was.
expect_refusal() {
  local pattern=$1
  shift 2
  local before after output status
  before=$(cd "$work/out" && ls -A | sort | xargs -r md5sum)
  if [ -n "${FILE_SIZE_LIMIT_KB:-}" ]; then
    # SIGXFSZ ignored: writes past the limit fail with EFBIG instead of killing.
    output=$(trap '' XFSZ; ulimit -f "$FILE_SIZE_LIMIT_KB"; "$mosaic" predict "$@" 2>&1)
  else
    output=$("$mosaic" predict "$@" 2>&1)
  fi
  status=$?
  echo "$output"
  [ $status -eq 1 ] || fail "exit status $status, expected 1"
  grep -Eq -- "$pattern" <<<"$output" || fail "message does not match /$pattern/"
  [ "$(grep -c 'error' <<<"$output")" -eq 1 ] || fail "expected exactly one error line"
  after=$(cd "$work/out" && ls -A | sort | xargs -r md5sum)
  [ "$before" = "$after" ] || fail "the output folder changed: before [$before] after [$after]"
}

crop() {  # crop SRC DST WIDTH HEIGHT [gdal_translate options...]
  local src=$1 dst=$2 w=$3 h=$4
  shift 4
  gdal_translate -q -srcwin 0 0 "$w" "$h" "$@" "$src" "$dst" || fail "gdal_translate $dst"
}

case $case_name in
nonexistent)
  expect_refusal "$work/in/none.tif: no such file" -- \
    --s2 "$work/in/none.tif" --model "$model" -o "$out"
  ;;
directory)
  # (Permission bits cannot make a file unreadable for root, which runs CI;
  # a folder where a raster is expected is the unreadable input here.)
  expect_refusal "$work/in: is a folder but not a Sentinel-2 product" -- \
    --s2 "$work/in" --model "$model" -o "$out"
  ;;
corrupt)
  head -c 4096 /dev/urandom >"$work/in/noise.tif"
  expect_refusal "noise.tif: cannot be read as a raster" -- \
    --s2 "$work/in/noise.tif" --model "$model" -o "$out"
  ;;
truncated)
  # A real GeoTIFF cut in half: the header opens, the pixels do not.
  crop "$s2" "$work/in/full.tif" 600 600 -co TILED=YES -co COMPRESS=DEFLATE
  size=$(stat -c %s "$work/in/full.tif")
  head -c $((size / 2)) "$work/in/full.tif" >"$work/in/half.tif"
  expect_refusal "half.tif.*(cannot be read|reading pixels failed|TIFF|Read)" -- \
    --s2 "$work/in/half.tif" --s2-bands B01 B02 B03 B04 B05 B06 B07 B08 B8A B09 B11 B12 \
    --model "$model" -o "$out"
  ;;
zero_size)
  : >"$work/in/empty.tif"
  expect_refusal "empty.tif: cannot be read as a raster" -- \
    --s2 "$work/in/empty.tif" --model "$model" -o "$out"
  ;;
one_pixel)
  crop "$s2" "$work/in/one.tif" 1 1
  expect_refusal "1 x 1 px.*at least 8 x 8" -- --s2 "$work/in/one.tif" --model "$model" -o "$out"
  ;;
no_overlap)
  gdal_translate -q -a_ullr 800000 5400000 806000 5394000 "$s1" "$work/in/far_s1.tif" ||
    fail "gdal_translate"
  expect_refusal "far_s1.tif: the Sentinel-1 scene does not overlap" -- \
    --s2 "$s2" --s1 "$work/in/far_s1.tif" --model "$model" -o "$out"
  ;;
no_crs)
  gdal_create -q -of GTiff -outsize 200 200 -bands 12 -ot UInt16 -burn 1000 \
    -a_ullr 400000 5400000 402000 5398000 "$work/in/nocrs.tif" || fail "gdal_create"
  expect_refusal "nocrs.tif: has no coordinate reference system" -- \
    --s2 "$work/in/nocrs.tif" --model "$model" -o "$out"
  ;;
missing_band)
  crop "$s2" "$work/in/ten.tif" 200 200 -b 1 -b 2 -b 3 -b 4 -b 5 -b 6 -b 7 -b 8 -b 9 -b 10
  expect_refusal "ten.tif.*lacks band\(s\) B11 B12" -- \
    --s2 "$work/in/ten.tif" --model "$model" -o "$out"
  ;;
extra_unnamed_bands)
  # 13 bands without names: the model's order cannot be assumed.
  gdal_create -q -of GTiff -outsize 200 200 -bands 13 -ot UInt16 -burn 1000 \
    -a_srs EPSG:32633 -a_ullr 400000 5400000 402000 5398000 "$work/in/thirteen.tif" ||
    fail "gdal_create"
  expect_refusal "thirteen.tif.*lacks band\(s\)" -- \
    --s2 "$work/in/thirteen.tif" --model "$model" -o "$out"
  ;;
complex_type)
  gdal_translate -q -ot CInt16 -srcwin 0 0 200 200 "$s2" "$work/in/complex.tif" || fail "translate"
  expect_refusal "complex.tif.*CInt16.*(not supported|expected)" -- \
    --s2 "$work/in/complex.tif" --model "$model" -o "$out"
  ;;
all_nodata)
  gdal_create -q -of GTiff -outsize 240 240 -bands 12 -ot UInt16 -burn 0 \
    -a_srs EPSG:32633 -a_ullr 400000 5400000 402400 5397600 "$work/in/zeros.tif" ||
    fail "gdal_create"
  expect_refusal "no patch .*enough valid pixels" -- \
    --s2 "$work/in/zeros.tif" --s2-bands B01 B02 B03 B04 B05 B06 B07 B08 B8A B09 B11 B12 \
    --model "$model" -o "$out"
  ;;
model_other_bands)
  "$mosaic" init -o "$work/in/b13.mosaic" --s1-encoder none --s2-encoder small_cnn \
    --s2-bands B02,B03,B04,B08 --small-cnn-width 4 >/dev/null || fail "init"
  crop "$s2" "$work/in/rgb.tif" 200 200 -b 2 -b 3 -b 4
  expect_refusal "rgb.tif.*lacks band\(s\) B08" -- \
    --s2 "$work/in/rgb.tif" --model "$work/in/b13.mosaic" -o "$out"
  ;;
model_truncated)
  head -c 100000 "$model" >"$work/in/cut.mosaic"
  expect_refusal "cut.mosaic.*truncated" -- --s2 "$s2" --model "$work/in/cut.mosaic" -o "$out"
  ;;
model_corrupted)
  cp "$model" "$work/in/flipped.mosaic"
  # Flip one byte inside the tensor data: the tensor's CRC-32 must catch it.
  printf '\xff' | dd of="$work/in/flipped.mosaic" bs=1 seek=900000 conv=notrunc status=none
  expect_refusal "flipped.mosaic.*(CRC|checksum)" -- \
    --s2 "$s2" --model "$work/in/flipped.mosaic" -o "$out"
  ;;
model_foreign)
  printf 'PK\003\004 this is a zip, e.g. a PyTorch .pt file' >"$work/in/model.pt"
  expect_refusal "model.pt.*ZIP.*not a MoSAiC model bundle" -- \
    --s2 "$s2" --model "$work/in/model.pt" -o "$out"
  ;;
output_missing_folder)
  expect_refusal "folder .*/nowhere does not exist" -- \
    --s2 "$s2" --model "$model" -o "$work/nowhere/prob.tif"
  ;;
output_is_a_file_path)
  # An output "folder" that is a file: not writable as a folder, even for root.
  expect_refusal "(does not exist|not a folder|not writable)" -- \
    --s2 "$s2" --model "$model" -o "$s2/prob.tif"
  ;;
existing_output)
  echo "precious" >"$out"
  expect_refusal "prob.tif: file exists; pass --overwrite" -- --s2 "$s2" --model "$model" -o "$out"
  [ "$(cat "$out")" = "precious" ] || fail "the existing output was changed"
  ;;
disk_full)
  # A 2 MiB file-size limit (RLIMIT_FSIZE) stands in for a full disk: the
  # uncompressed output needs ~27 MB. The existing output must survive and
  # no temporary file may remain.
  echo "precious" >"$out"
  FILE_SIZE_LIMIT_KB=2048 expect_refusal "prob.tif.*(writ|File too large|cannot)" -- \
    --s2 "$s2" --s1 "$s1" --model "$model" -o "$out" --overwrite --compress none --stride 120
  [ "$(cat "$out")" = "precious" ] || fail "the existing output was changed"
  ;;
*)
  fail "unknown case"
  ;;
esac
echo "bad_inputs_test.sh $case_name: OK"
