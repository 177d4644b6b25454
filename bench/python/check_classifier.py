#!/usr/bin/python3
"""Checks that mosaic_bundle.Classifier (PyTorch) gives the same probabilities
as the C++ PatchClassifier for a bundle, on random patches.

How the C++ values are obtained without any C++ code: the K random patches are
laid side by side in a 120 x (120 K) px S1 + S2 scene (Float32 GeoTIFFs, so the
values are exactly those of the in-memory patches), and `mosaic predict` runs
on it with `--grid coarse --stride P`: the coarse grid has one output pixel per
patch, whose value is that patch's PatchClassifier probability (no blending),
so output pixel k = Classify(patch k). This is done for every head of the model
(fused, s1, s2).

  check_classifier.py [--bundle B] [--mosaic build/cli/mosaic] [--count 24] [--tol 1e-5]

Exit status 0 when every head agrees within --tol, 1 otherwise.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mosaic_bundle  # noqa: E402

gdal.UseExceptions()


def write_scene(path, patches, band_names):
    """patches [K, C, P, P] -> a C-band Float32 GeoTIFF P x (K P), patches side by side."""
    k, c, p, _ = patches.shape
    image = patches.transpose(1, 2, 0, 3).reshape(c, p, k * p)  # [C, P, K*P]
    ds = gdal.GetDriverByName("GTiff").Create(path, k * p, p, c, gdal.GDT_Float32)
    ds.SetGeoTransform((400000.0, 10.0, 0.0, 5400000.0, 0.0, -10.0))
    srs = gdal.osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    ds.SetProjection(srs.ExportToWkt())
    for b in range(c):
        band = ds.GetRasterBand(b + 1)
        band.SetDescription(band_names[b])
        band.WriteArray(image[b])
    ds = None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bundle", default=os.path.join(root, "sample_data", "mosaic-sample.mosaic"))
    ap.add_argument("--mosaic", default=os.path.join(root, "build", "cli", "mosaic"))
    ap.add_argument("--count", type=int, default=24, help="random patches")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tol", type=float, default=1e-5)
    args = ap.parse_args()

    clf = mosaic_bundle.Classifier(args.bundle)
    m = clf.manifest
    p = clf.patch
    rng = np.random.default_rng(args.seed)
    inputs = {}
    for mod in ("s1", "s2"):
        if m.get(mod):
            mean = np.array(m[mod]["normalization"]["mean"], dtype=np.float64).reshape(1, -1, 1, 1)
            std = np.array(m[mod]["normalization"]["std"], dtype=np.float64).reshape(1, -1, 1, 1)
            x = mean + std * rng.standard_normal((args.count, mean.shape[1], p, p))
            if mod == "s2":
                x = np.maximum(x, 1.0)  # 0 is S2 nodata in the engine
            inputs[mod] = x.astype(np.float32)
    heads = [h for h, need in (("fused", ("s1", "s2")), ("s1", ("s1",)), ("s2", ("s2",)))
             if all(n in inputs for n in need)]

    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="mosaic-check-classifier-") as tmp:
        cmd_inputs = []
        for mod in inputs:
            path = os.path.join(tmp, mod + ".tif")
            write_scene(path, inputs[mod], m[mod]["bands"])
            cmd_inputs += ["--" + mod, path]
        for head in heads:
            out = os.path.join(tmp, "prob_%s.tif" % head)
            cmd = [args.mosaic, "predict", *cmd_inputs, "--model", args.bundle, "-o", out,
                   "--grid", "coarse", "--stride", str(p), "--head", head, "--quiet"]
            subprocess.run(cmd, check=True)
            ds = gdal.Open(out)
            cpp = ds.ReadAsArray().reshape(len(clf.classes), args.count).T  # [K, classes]
            ds = None
            py = clf.classify(inputs.get("s1"), inputs.get("s2"), head=head)
            diff = float(np.abs(cpp.astype(np.float64) - py).max())
            worst = max(worst, diff)
            print("%-28s head %-5s %d patches x %d classes: max |C++ - PyTorch| = %.3g" % (
                os.path.basename(args.bundle), head, args.count, len(clf.classes), diff))
    ok = worst <= args.tol
    print("%s: max abs difference %.3g (tolerance %g)" % ("OK" if ok else "FAIL", worst, args.tol))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
