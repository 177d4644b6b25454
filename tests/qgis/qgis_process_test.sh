#!/usr/bin/env bash
# qgis_process runs mosaic:classify on the bundled sample scene; the result
# must equal what `mosaic predict` (no arguments: the same scene, cloud mask
# and settings) writes: same grid, same band names (the class names), every
# value within 1e-6.
#
# Usage: qgis_process_test.sh QGIS_PROCESS_BIN MOSAIC_CLI PYTHON_PLUGIN_DIR SAMPLE_DIR WORK_DIR
#
# QGIS 3.22's `qgis_process` shell wrapper passes an option the binary
# rejects, hence qgis_process.bin; offscreen Qt; a private profile in which
# the Python plugin (which loads the C++ provider) is enabled.
set -euo pipefail
qgis_process=$1 mosaic=$2 plugin_dir=$3 sample=$4 work=$5

rm -rf "$work"
mkdir -p "$work/sample/scene"
# A copy of the sample: QGIS computes statistics of the layers it opens and
# GDAL saves them in .aux.xml files beside the rasters.
cp "$sample/mosaic-sample.mosaic" "$work/sample/"
cp "$sample"/scene/{S2_stack_10m.tif,S1_VV_VH.tif,cloud_mask.tif} "$work/sample/scene/"
sample=$work/sample
export QT_QPA_PLATFORM=offscreen
export QGIS_PLUGINPATH=$plugin_dir
export QGIS_CUSTOM_CONFIG_PATH=$work/profile
export XDG_RUNTIME_DIR=$work/runtime
mkdir -m 700 -p "$XDG_RUNTIME_DIR"

"$qgis_process" plugins enable mosaic_processing > "$work/enable.log" 2>&1 ||
  { cat "$work/enable.log"; exit 1; }
"$qgis_process" list > "$work/list.log" 2>&1
grep -q "mosaic:classify" "$work/list.log" || { echo "mosaic:classify not listed:"; cat "$work/list.log"; exit 1; }

"$qgis_process" --json run mosaic:classify \
  --S2="$sample/scene/S2_stack_10m.tif" --S1="$sample/scene/S1_VV_VH.tif" \
  --S2_MASK="$sample/scene/cloud_mask.tif" --S2_MASK_INVALID=1,2 \
  --OUTPUT="$work/qgis.tif" > "$work/run.json" 2> "$work/run.log" ||
  { echo "qgis_process failed:"; cat "$work/run.log" "$work/run.json"; exit 1; }

(cd "$work" && MOSAIC_SAMPLE_DATA_DIR="$sample" "$mosaic" predict --quiet)

/usr/bin/python3 - "$work/run.json" "$work/qgis.tif" \
  "$work/mosaic-predict-out/mosaic-sample-probabilities.tif" <<'PY'
import json, sys
import numpy as np
from osgeo import gdal

run_json, actual_path, expected_path = sys.argv[1:]
outputs = json.load(open(run_json))["results"]
assert outputs["OUTPUT"] == actual_path, outputs
actual, expected = gdal.Open(actual_path), gdal.Open(expected_path)
assert (actual.RasterXSize, actual.RasterYSize, actual.RasterCount) == \
    (expected.RasterXSize, expected.RasterYSize, expected.RasterCount)
assert actual.GetGeoTransform() == expected.GetGeoTransform()
names = [actual.GetRasterBand(b + 1).GetDescription() for b in range(actual.RasterCount)]
assert names == [expected.GetRasterBand(b + 1).GetDescription()
                 for b in range(expected.RasterCount)], names
assert "Arable land" in names, names
diff = np.abs(actual.ReadAsArray().astype(np.float64) - expected.ReadAsArray())
print(f"qgis_process mosaic:classify vs mosaic predict: {actual.RasterCount} bands "
      f"{actual.RasterXSize}x{actual.RasterYSize}, max |diff| = {diff.max():.3g}")
assert diff.max() <= 1e-6
PY
