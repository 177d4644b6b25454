#!/usr/bin/python3
"""The I/O floor: seconds to merely read every band of the given rasters once
with GDAL (python3-gdal), as Float32, in windows of whole block rows (the
TIFF's tile height) over the full width: decoding only, no other work.

  gdal_read.py RASTER... [--json]
"""

import json
import sys
import time

from osgeo import gdal

gdal.UseExceptions()


def main():
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    start = time.perf_counter()
    pixels = 0
    for path in paths:
        ds = gdal.Open(path)
        _, block_h = ds.GetRasterBand(1).GetBlockSize()
        for y0 in range(0, ds.RasterYSize, block_h):
            h = min(block_h, ds.RasterYSize - y0)
            a = ds.ReadAsArray(0, y0, ds.RasterXSize, h, buf_type=gdal.GDT_Float32)
            pixels += a.size
        ds = None
    seconds = time.perf_counter() - start
    if "--json" in sys.argv:
        print(json.dumps({"seconds": seconds, "values": pixels}))
    else:
        print("read %d values from %d files in %.3f s" % (pixels, len(paths), seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
