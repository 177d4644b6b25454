#!/usr/bin/python3
"""Compares two probability rasters (e.g. `mosaic predict` and
reference_predict.py): same size, band count, band descriptions, geotransform,
nodata pixels; prints the maximum absolute difference of the valid pixels.

  compare_outputs.py A.tif B.tif [--tol 1e-4] [--json]

Exit status 0 when everything matches and max |A - B| <= --tol, else 1.
Reads block row by block row (256 rows), so memory stays small.
"""

import argparse
import json
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    a, b = gdal.Open(args.a), gdal.Open(args.b)
    problems = []
    if (a.RasterXSize, a.RasterYSize, a.RasterCount) != (b.RasterXSize, b.RasterYSize, b.RasterCount):
        problems.append("shape %dx%dx%d vs %dx%dx%d" % (a.RasterCount, a.RasterYSize, a.RasterXSize,
                                                        b.RasterCount, b.RasterYSize, b.RasterXSize))
    if not np.allclose(a.GetGeoTransform(), b.GetGeoTransform()):
        problems.append("geotransforms differ")
    max_diff, worst_band, nodata_mismatch, valid = 0.0, None, 0, 0
    if not problems:
        for i in range(1, a.RasterCount + 1):
            ba, bb = a.GetRasterBand(i), b.GetRasterBand(i)
            if ba.GetDescription() != bb.GetDescription():
                problems.append("band %d description %r vs %r" % (i, ba.GetDescription(), bb.GetDescription()))
            if ba.GetNoDataValue() != bb.GetNoDataValue():
                problems.append("band %d nodata %r vs %r" % (i, ba.GetNoDataValue(), bb.GetNoDataValue()))
            nda, ndb = ba.GetNoDataValue(), bb.GetNoDataValue()
            for y0 in range(0, a.RasterYSize, 256):
                h = min(256, a.RasterYSize - y0)
                va = ba.ReadAsArray(0, y0, a.RasterXSize, h).astype(np.float64)
                vb = bb.ReadAsArray(0, y0, a.RasterXSize, h).astype(np.float64)
                ma = va == nda if nda is not None else np.zeros(va.shape, bool)
                mb = vb == ndb if ndb is not None else np.zeros(vb.shape, bool)
                nodata_mismatch += int((ma != mb).sum())
                both = ~ma & ~mb
                valid += int(both.sum())
                if both.any():
                    d = float(np.abs(va[both] - vb[both]).max())
                    if d > max_diff:
                        max_diff, worst_band = d, ba.GetDescription()
        if nodata_mismatch:
            problems.append("%d pixels are nodata in only one file" % nodata_mismatch)
    ok = not problems and max_diff <= args.tol
    if args.json:
        print(json.dumps({"max_abs_diff": max_diff, "worst_band": worst_band, "valid_values": valid,
                          "nodata_mismatch": nodata_mismatch, "problems": problems, "ok": ok,
                          "tol": args.tol}))
    else:
        for p in problems:
            print("mismatch: " + p)
        print("max abs difference %.3g over %d valid values (worst band: %s); tolerance %g: %s"
              % (max_diff, valid, worst_band, args.tol, "OK" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
