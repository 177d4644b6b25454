#!/usr/bin/python3
"""Tests of the GDAL plugin (gdal_MOSAIC.so) with GDAL's own programs.

Usage: gdal_plugin_test.py CASE   (run by CTest as MosaicGdal.CASE)

Environment (set by tests/gdal_driver/CMakeLists.txt): GDAL_DRIVER_PATH (the
plugin's build folder), MOSAIC_CLI (the mosaic command), MOSAIC_SOURCE_DIR,
MOSAIC_GDAL_TEST_WORK (scratch folder; the `reference` case writes the
`mosaic predict` rasters there that the comparison cases read).
"""
import json
import os
import subprocess
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

SOURCE = os.environ["MOSAIC_SOURCE_DIR"]
WORK = os.environ["MOSAIC_GDAL_TEST_WORK"]
CLI = os.environ["MOSAIC_CLI"]
SAMPLE = os.path.join(SOURCE, "sample_data")
SCENE = os.path.join(SAMPLE, "scene")
DESCRIPTION = os.path.join(SAMPLE, "gdal", "sample.mosaic.json")
VRT = os.path.join(SAMPLE, "gdal", "sample-pixelfunction.vrt")
MODEL = os.path.join(SAMPLE, "mosaic-sample.mosaic")
S2 = os.path.join(SCENE, "S2_stack_10m.tif")
S1 = os.path.join(SCENE, "S1_VV_VH.tif")
MASK = os.path.join(SCENE, "cloud_mask.tif")

# mosaic predict with the settings of sample.mosaic.json.
REF = os.path.join(WORK, "reference.tif")
REF_NOMASK = os.path.join(WORK, "reference-nomask.tif")
REF_EMBEDDINGS = os.path.join(WORK, "reference-embeddings.tif")
PREDICT_SETTINGS = ["--model", MODEL, "--stride", "60", "--blend", "hann", "--edges", "shift",
                    "--device", "cpu", "--batch-size", "16",
                    "--compress", "none", "--overwrite", "--quiet"]

# The driver's numbers come from the same engine with the same patches; only
# the floating-point order of the blending sums may differ between a block
# and a strip.
TOLERANCE = 1e-5


def run(args, expect_ok=True, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(args, capture_output=True, text=True, env=full_env)
    if expect_ok and proc.returncode != 0:
        sys.exit(f"FAILED: {' '.join(args)}\nexit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def read(path, **kwargs):
    return gdal.Open(path).ReadAsArray(**kwargs).astype(np.float64)


def compare(name, got, want, tolerance=TOLERANCE):
    assert got.shape == want.shape, f"{name}: shape {got.shape} != {want.shape}"
    assert np.array_equal(got == -1, want == -1), f"{name}: nodata pixels differ"
    diff = float(np.abs(got - want).max())
    print(f"{name}: {got.shape}, max abs diff {diff:.3g} (tolerance {tolerance:g})")
    assert diff <= tolerance, f"{name}: max abs diff {diff} > {tolerance}"


def debug_count(stderr, text):
    return sum(1 for line in stderr.splitlines() if text in line)


# --- cases ----------------------------------------------------------------------


def case_reference():
    os.makedirs(WORK, exist_ok=True)
    run([CLI, "predict", "--s2", S2, "--s1", S1, "--s2-mask", MASK, "--s2-mask-invalid", "1",
         "2", "--grid", "dense", "-o", REF] + PREDICT_SETTINGS)
    run([CLI, "predict", "--s2", S2, "--s1", S1, "--grid", "dense", "-o", REF_NOMASK] +
        PREDICT_SETTINGS)
    run([CLI, "predict", "--s2", S2, "--s1", S1, "--s2-mask", MASK, "--s2-mask-invalid", "1",
         "2", "--grid", "coarse", "-o", os.path.join(WORK, "coarse.tif"),
         "--embedding-output", REF_EMBEDDINGS] + PREDICT_SETTINGS)


def case_formats():
    out = run(["gdalinfo", "--formats"]).stdout
    line = [l for l in out.splitlines() if l.strip().startswith("MOSAIC ")]
    assert line, "MOSAIC not in gdalinfo --formats:\n" + out
    print(line[0].strip())
    out = run(["gdalinfo", "--format", "MOSAIC"]).stdout
    for option in ("MODEL", "STRIDE", "BLEND", "DEVICE", "BATCH_SIZE", "OUTPUT"):
        assert f"name='{option}'" in out or f'name="{option}"' in out, f"open option {option}"


def case_gdalinfo():
    info = json.loads(run(["gdalinfo", "-json", DESCRIPTION]).stdout)
    assert info["driverShortName"] == "MOSAIC", info["driverShortName"]
    assert info["size"] == [600, 600], info["size"]
    assert info["geoTransform"] == [400000.0, 10.0, 0.0, 5400000.0, 0.0, -10.0]
    assert 'ID["EPSG",32633]' in info["coordinateSystem"]["wkt"]
    classes = json.loads(info["metadata"][""]["CLASSES"])
    bands = info["bands"]
    assert len(bands) == 19 == len(classes), (len(bands), len(classes))
    for band, name in zip(bands, classes):
        assert band["type"] == "Float32"
        assert band["description"] == name, (band["description"], name)
        assert band["noDataValue"] == -1
        assert band["block"] == [256, 256]
    assert info["metadata"][""]["MODEL_NAME"] == "mosaic"
    assert bands[2]["description"] == "Arable land"
    text = run(["gdalinfo", DESCRIPTION]).stdout
    assert "Size is 600, 600" in text and "Description = Marine waters" in text
    print(f"gdalinfo: 600 x 600, EPSG:32633, {len(bands)} bands: {', '.join(classes[:3])}, ...")


def case_translate_driver():
    ref = read(REF)
    # A description file, the same through the connection prefix, and key=value pairs.
    sources = [
        DESCRIPTION,
        "MOSAIC:" + DESCRIPTION,
        f"MOSAIC:model={MODEL};s2={S2};s1={S1};s2_mask={MASK};s2_mask_invalid=1,2;stride=60",
    ]
    for i, source in enumerate(sources):
        out = os.path.join(WORK, f"driver-{i}.tif")
        run(["gdal_translate", "-q", source, out])
        compare(f"gdal_translate {source[:60]}... vs mosaic predict", read(out), ref)
    # Open options override the description: with another stride the numbers change.
    out = os.path.join(WORK, "driver-stride.tif")
    run(["gdal_translate", "-q", "-oo", "STRIDE=40", "-srcwin", "0", "0", "128", "128",
         DESCRIPTION, out])
    got = read(out)
    assert np.abs(got - ref[:, :128, :128]).max() > 1e-3, "STRIDE open option had no effect"


def case_translate_vrt():
    # Read in one window: each band as a whole (band-interleaved output).
    out = os.path.join(WORK, "vrt.tif")
    proc = run(["gdal_translate", "-co", "INTERLEAVE=BAND", "--config", "CPL_DEBUG", "MOSAIC",
                VRT, out])
    windows = debug_count(proc.stderr, "pixel function: computed")
    print(f"pixel function windows computed for 19 bands: {windows}")
    assert windows == 1, proc.stderr
    compare("VRT pixel function vs mosaic predict (no mask)", read(out), read(REF_NOMASK))


def case_python_window():
    ds = gdal.OpenEx(DESCRIPTION, gdal.OF_RASTER)
    assert ds.GetDriver().ShortName == "MOSAIC"
    x, y, w, h = 170, 230, 200, 150
    ref = read(REF, xoff=x, yoff=y, xsize=w, ysize=h)
    got = ds.ReadAsArray(x, y, w, h).astype(np.float64)
    compare("osgeo.gdal window", got, ref)
    band = ds.GetRasterBand(9)
    assert band.GetDescription() == "Broad-leaved forest"
    compare("osgeo.gdal one band", band.ReadAsArray(x, y, w, h).astype(np.float64), ref[8])


def windows_for_band_by_band_read(cache_mb):
    """Reads every band on its own in a fresh process; returns the windows computed."""
    code = f"""
from osgeo import gdal
gdal.UseExceptions()
gdal.SetCacheMax({cache_mb} * 1024 * 1024)
ds = gdal.Open({DESCRIPTION!r})
for b in range(1, ds.RasterCount + 1):
    ds.GetRasterBand(b).ReadAsArray()
print(ds.GetMetadataItem('WINDOWS_COMPUTED', 'MOSAIC_DEBUG'))
"""
    return int(run([sys.executable, "-c", code]).stdout.strip())


def case_cache_max():
    blocks = 9  # 600 x 600 in 256 x 256 blocks
    small = windows_for_band_by_band_read(1)
    large = windows_for_band_by_band_read(512)
    print(f"band-by-band read of 19 bands: {small} windows with a 1 MiB GDAL cache, "
          f"{large} with 512 MiB ({blocks} blocks)")
    assert small == large == blocks, (small, large)
    # The same through gdal_translate, counted from CPL_DEBUG=MOSAIC.
    counts = {}
    for cache in ("1", "512"):
        for interleave in ("PIXEL", "BAND"):
            proc = run(["gdal_translate", "-q", "--config", "GDAL_CACHEMAX", cache, "--config",
                        "CPL_DEBUG", "MOSAIC", "-co", "INTERLEAVE=" + interleave, DESCRIPTION,
                        os.path.join(WORK, f"cache-{cache}-{interleave}.tif")])
            counts[(cache, interleave)] = debug_count(proc.stderr, "computed block")
    print("gdal_translate windows computed (GDAL_CACHEMAX MiB, interleave):", counts)
    assert set(counts.values()) == {blocks}, counts
    compare("GDAL_CACHEMAX=1 output", read(os.path.join(WORK, "cache-1-BAND.tif")), read(REF))


def case_embeddings():
    ds = gdal.OpenEx(DESCRIPTION, gdal.OF_RASTER, open_options=["OUTPUT=embeddings"])
    ref = gdal.Open(REF_EMBEDDINGS)
    print(f"embeddings: {ds.RasterXSize} x {ds.RasterYSize} x {ds.RasterCount}, "
          f"mosaic predict: {ref.RasterXSize} x {ref.RasterYSize} x {ref.RasterCount}")
    assert (ds.RasterXSize, ds.RasterYSize, ds.RasterCount) == (
        ref.RasterXSize, ref.RasterYSize, ref.RasterCount)
    assert ds.GetGeoTransform() == ref.GetGeoTransform()
    got = ds.ReadAsArray().astype(np.float64)
    want = ref.ReadAsArray().astype(np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    diff = float(np.nanmax(np.abs(got - want)))
    print(f"embeddings vs mosaic predict --embedding-output: max abs diff {diff:.3g}")
    assert diff <= TOLERANCE


def expect_failure(source, needle, open_options=()):
    args = ["gdalinfo"] + [a for o in open_options for a in ("-oo", o)] + [source]
    proc = run(args, expect_ok=False)
    message = proc.stderr.strip().splitlines()
    assert 0 < proc.returncode < 128, f"{source}: exit {proc.returncode} (crash?)\n{proc.stderr}"
    assert needle in proc.stderr, f"{source}: '{needle}' not in:\n{proc.stderr}"
    print(f"exit {proc.returncode}: {message[0] if message else ''}")


def case_errors():
    bad = os.path.join(WORK, "bad")
    os.makedirs(bad, exist_ok=True)

    def write(name, text):
        path = os.path.join(bad, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    base = {"mosaic": 1, "model": MODEL, "s2": [S2], "s1": [S1]}
    expect_failure(write("syntax.json", '{"mosaic": 1, "model": '), "not valid JSON")
    expect_failure(write("nomodel.json", json.dumps({"mosaic": 1, "s2": [S2]})),
                   "'model': no model bundle given")
    expect_failure(write("missing-model.json", json.dumps({**base, "model": "nowhere.mosaic"})),
                   "nowhere.mosaic")
    expect_failure(write("typo.json", json.dumps({**base, "strid": 60})), "unknown key 'strid'")
    expect_failure(write("blend.json", json.dumps({**base, "blend": "fancy"})), "'blend'")
    expect_failure(write("noscene.json", json.dumps({"mosaic": 1, "model": MODEL})),
                   "no scene given")
    # Missing bands: the S1 raster given as S2.
    expect_failure(write("bands.json", json.dumps({**base, "s2": [S1]})), "MOSAIC")
    # Mismatched grids: an S1 raster far away from the S2 scene.
    far = os.path.join(bad, "S1_far.tif")
    run(["gdal_translate", "-q", "-a_ullr", "900000", "1000000", "906000", "994000", S1, far])
    expect_failure(write("grids.json", json.dumps({**base, "s1": [far]})), "MOSAIC")
    expect_failure(DESCRIPTION, "'stride'", open_options=["STRIDE=abc"])
    expect_failure("MOSAIC:model=" + MODEL, "no scene given")
    expect_failure(os.path.join(bad, "absent.mosaic.json"), "absent.mosaic.json")


def case_foreign_file():
    # An ordinary GeoTIFF opens with GTiff, the plugin is loaded, and neither
    # the backend nor LibTorch is (read from the process's own memory maps).
    code = f"""
from osgeo import gdal
gdal.UseExceptions()
ds = gdal.Open({S2!r})
assert ds.GetDriver().ShortName == 'GTiff', ds.GetDriver().ShortName
ds.GetRasterBand(1).Checksum()
maps = open('/proc/self/maps').read()
print('gdal_MOSAIC.so' in maps, 'mosaic_gdal_backend' in maps, 'libtorch' in maps)
"""
    flags = run([sys.executable, "-c", code]).stdout.split()
    print(f"GTiff opened; plugin loaded: {flags[0]}, backend loaded: {flags[1]}, "
          f"LibTorch loaded: {flags[2]}")
    assert flags == ["True", "False", "False"], flags
    proc = run(["gdalinfo", "--config", "CPL_DEBUG", "ON", S2])
    assert "Driver: GTiff" in proc.stdout
    assert "loading the backend" not in proc.stderr

    # The cost of loading the plugin for other files is a speed question and is
    # measured, not asserted, here: wall-clock bounds fail on a loaded machine.
    # What makes it cheap is asserted above: neither the backend nor LibTorch
    # is loaded.


if __name__ == "__main__":
    if len(sys.argv) != 2 or f"case_{sys.argv[1]}" not in globals():
        sys.exit(__doc__)
    os.makedirs(WORK, exist_ok=True)
    globals()[f"case_{sys.argv[1]}"]()
    print("OK")
