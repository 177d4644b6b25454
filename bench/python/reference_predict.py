#!/usr/bin/python3
"""Sliding-window scene classification the way users hand-write it with
PyTorch + GDAL: the Python reference that `mosaic predict` is benchmarked
against (bench/run-all.sh).

  reference_predict.py --s2 S2.tif --s1 S1.tif --model M.mosaic -o PROB.tif
                       [--stride 60] [--blend hann|uniform|gaussian] [--gaussian-sigma 0.25]
                       [--batch-size 16] [--threads 0] [--max-nodata 0.5] [--s2-nodata 0]
                       [--compress zstd|deflate|lzw|none] [--json]

What it does, per patch row of the dense grid (docs/scene-engine.md):
  1. read the window of P rows x the scene width from the S2 stack and the S1
     raster with GDAL (ReadAsArray as Float32; GDAL's block cache serves the
     rows that overlapping patch rows share);
  2. validity as the engine's: a pixel is invalid in a modality when any band
     is NaN/Inf or equals the band's nodata (S2 without a declared nodata:
     --s2-nodata, default 0); invalid values are filled with the band mean;
     per patch a modality with more than --max-nodata of its pixels invalid is
     dropped, and the head is fused / s2 / s1 (--head auto) or the patch is skipped;
  3. normalise with the manifest statistics and run the same dual-stream model
     with the bundle's weights (mosaic_bundle.py) in torch.inference_mode, in
     batches of --batch-size per head;
  4. blend: each patch's sigmoid probabilities are spread with the separable
     window w(y) w(x) (uniform 1, Hann sin^2(pi (i+1/2)/P), Gaussian
     exp(-(i+1/2-P/2)^2 / (2 (sigma P)^2)), clamped to >= 1e-6) into full-scene
     float32 accumulators; output = sum w p / sum w;
and finally writes one Float32 band per class (description = class name,
nodata -1 where no patch was inferred or every modality is invalid) as a
tiled 256 x 256 GeoTIFF (ZSTD level 1 / DEFLATE / LZW with PREDICTOR=3).

Patch origins: 0, S, 2S, ... with the last patch shifted to end at the edge
(the engine's --edges shift; scenes must be at least one patch in size).

Simplifications against the engine (none matters for the synthetic benchmark
scenes, which have no nodata, no mask and S1 on the S2 grid):
  * S1 must already be on the S2 grid (same size and geotransform): no warping,
    no --s1-linear, no validity mask, no reflect edges, no coarse grid;
  * bands are matched by band description (else taken in the model's order);
  * accumulators cover the whole scene (memory grows with the scene: about
    (classes + 1) x 4 bytes per pixel), the way a simple script does it.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from osgeo import gdal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mosaic_bundle  # noqa: E402

gdal.UseExceptions()


def dense_origins(size, patch, stride):
    """0, stride, 2 stride, ... and a last patch that ends exactly at the edge."""
    if size < patch:
        raise SystemExit("error: scene side %d px is smaller than the patch (%d px)" % (size, patch))
    origins = list(range(0, size - patch, stride)) + [size - patch]
    if len(origins) >= 2 and origins[-2] == origins[-1]:
        origins.pop()
    return origins


def blend_weights(window, patch, sigma):
    t = np.arange(patch, dtype=np.float64) + 0.5
    if window == "uniform":
        w = np.ones(patch)
    elif window == "hann":
        w = np.sin(math.pi * t / patch) ** 2
    elif window == "gaussian":
        s = sigma * patch
        w = np.exp(-(t - 0.5 * patch) ** 2 / (2.0 * s * s))
    else:
        raise SystemExit("error: --blend must be uniform, hann or gaussian")
    return np.maximum(w.astype(np.float32), np.float32(1e-6))


class Source:
    """One raster holding a modality's bands (reordered to the model's order)."""

    def __init__(self, path, model_bands, default_nodata, modality):
        self.path = path
        self.ds = gdal.Open(path)
        names = [self.ds.GetRasterBand(i + 1).GetDescription() for i in range(self.ds.RasterCount)]
        if all(b in names for b in model_bands):
            self.band_index = [names.index(b) + 1 for b in model_bands]
        elif self.ds.RasterCount == len(model_bands):
            self.band_index = list(range(1, len(model_bands) + 1))
        else:
            raise SystemExit("error: %s: bands %s do not give the model's %s bands %s"
                             % (path, names, modality, model_bands))
        self.nodata = []
        for i in self.band_index:
            nd = self.ds.GetRasterBand(i).GetNoDataValue()
            self.nodata.append(nd if nd is not None else default_nodata)
        self.identity_order = self.band_index == list(range(1, self.ds.RasterCount + 1))

    def read(self, y0, height):
        """[bands, height, width] float32 of rows y0 .. y0 + height."""
        w = self.ds.RasterXSize
        if self.identity_order:
            return self.ds.ReadAsArray(0, y0, w, height, buf_type=gdal.GDT_Float32)
        return np.stack([self.ds.GetRasterBand(i).ReadAsArray(0, y0, w, height, buf_type=gdal.GDT_Float32)
                         for i in self.band_index])


def validate(values, nodata, fill):
    """Marks invalid pixels, fills them with the band mean in place; returns the
    [H, W] invalid mask (any band invalid)."""
    invalid = np.zeros(values.shape[1:], dtype=bool)
    for b in range(values.shape[0]):
        v = values[b]
        bad = ~np.isfinite(v)
        nd = nodata[b]
        if nd is not None and not math.isnan(nd):
            bad |= v == np.float32(nd)
        if bad.any():
            v[bad] = fill[b]
            invalid |= bad
    return invalid


def main():
    ap = argparse.ArgumentParser(description="PyTorch + GDAL sliding-window reference for mosaic predict")
    ap.add_argument("--s2", required=True)
    ap.add_argument("--s1")
    ap.add_argument("--model", required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--stride", type=int, default=0, help="0 = half a patch")
    ap.add_argument("--blend", default="hann")
    ap.add_argument("--gaussian-sigma", type=float, default=0.25)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    ap.add_argument("--max-nodata", type=float, default=0.5)
    ap.add_argument("--s2-nodata", type=float, default=0.0)
    ap.add_argument("--compress", default="zstd")
    ap.add_argument("--json", action="store_true", help="print timings as JSON on stdout")
    args = ap.parse_args()

    t_start = time.perf_counter()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    clf = mosaic_bundle.Classifier(args.model)
    m = clf.manifest
    P = clf.patch
    stride = args.stride or P // 2
    classes = clf.classes
    C = len(classes)

    srcs = {}
    if m.get("s2"):
        srcs["s2"] = Source(args.s2, m["s2"]["bands"], args.s2_nodata, "S2")
    if args.s1 and m.get("s1"):
        srcs["s1"] = Source(args.s1, m["s1"]["bands"], None, "S1")
    ref = srcs["s2"].ds
    W, H = ref.RasterXSize, ref.RasterYSize
    for s in srcs.values():
        if (s.ds.RasterXSize, s.ds.RasterYSize) != (W, H) or s.ds.GetGeoTransform() != ref.GetGeoTransform():
            raise SystemExit("error: %s is not on the S2 grid (this reference does not warp)" % s.path)
    fill = {mod: np.array(m[mod]["normalization"]["mean"], dtype=np.float64).astype(np.float32)
            for mod in srcs}

    xs, ys = dense_origins(W, P, stride), dense_origins(H, P, stride)
    w1 = blend_weights(args.blend, P, args.gaussian_sigma)
    w2 = np.outer(w1, w1).astype(np.float32)  # float32 products wy * wx, as the engine
    acc = np.zeros((C, H, W), dtype=np.float32)
    wsum = np.zeros((H, W), dtype=np.float32)
    covered_invalid = np.zeros((H, W), dtype=bool)  # invalid in every modality
    limit = args.max_nodata * P * P
    t_read = t_infer = t_blend = 0.0
    counts = {"fused": 0, "s1": 0, "s2": 0, "skipped": 0}
    t_setup = time.perf_counter() - t_start

    with torch.inference_mode():
        for y0 in ys:
            t0 = time.perf_counter()
            windows, invalid = {}, {}
            for mod, s in srcs.items():
                windows[mod] = s.read(y0, P)
                invalid[mod] = validate(windows[mod], s.nodata, fill[mod])
            all_invalid = np.logical_and.reduce([invalid[mod] for mod in srcs])
            covered_invalid[y0:y0 + P] = all_invalid
            groups = {"fused": [], "s1": [], "s2": []}
            for x0 in xs:
                ok = {mod: invalid[mod][:, x0:x0 + P].sum() <= limit for mod in srcs}
                s1_ok, s2_ok = ok.get("s1", False), ok.get("s2", False)
                head = "fused" if s1_ok and s2_ok else "s2" if s2_ok else "s1" if s1_ok else None
                if head is None:
                    counts["skipped"] += 1
                    continue
                groups[head].append(x0)
            t1 = time.perf_counter()
            t_read += t1 - t0
            results = []
            for head, x_list in groups.items():
                for b in range(0, len(x_list), args.batch_size):
                    batch_x = x_list[b:b + args.batch_size]
                    inputs = {}
                    for mod in ("s1", "s2"):
                        if mod in srcs and (head == "fused" or head == mod):
                            inputs[mod] = torch.from_numpy(
                                np.stack([windows[mod][:, :, x0:x0 + P] for x0 in batch_x]))
                    probs = torch.sigmoid(clf.logits(inputs.get("s1"), inputs.get("s2"), head)).numpy()
                    results += list(zip(batch_x, probs))
                    counts[head] += len(batch_x)
            t2 = time.perf_counter()
            t_infer += t2 - t1
            for x0, p in results:
                acc[:, y0:y0 + P, x0:x0 + P] += p[:, None, None].astype(np.float32) * w2
                wsum[y0:y0 + P, x0:x0 + P] += w2
            t_blend += time.perf_counter() - t2

    t0 = time.perf_counter()
    nodata_mask = (wsum <= 0) | covered_invalid
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(nodata_mask, np.float32(0), np.float32(1) / wsum).astype(np.float32)
    options = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "INTERLEAVE=BAND", "BIGTIFF=IF_SAFER"]
    if args.compress != "none":
        options += ["COMPRESS=" + args.compress.upper(), "PREDICTOR=3"]
        if args.compress == "zstd":
            options.append("ZSTD_LEVEL=1")
    out = gdal.GetDriverByName("GTiff").Create(args.output, W, H, C, gdal.GDT_Float32, options=options)
    out.SetGeoTransform(ref.GetGeoTransform())
    out.SetProjection(ref.GetProjection())
    for c in range(C):
        band = out.GetRasterBand(c + 1)
        band.SetDescription(classes[c])
        band.SetNoDataValue(-1.0)
        values = acc[c] * inv
        values[nodata_mask] = -1.0
        band.WriteArray(values)
    out = None
    t_write = time.perf_counter() - t0
    total = time.perf_counter() - t_start
    result = {"width": W, "height": H, "patches": sum(v for k, v in counts.items() if k != "skipped"),
              "patches_by_head": counts, "torch_threads": torch.get_num_threads(),
              "seconds": {"setup": t_setup, "read": t_read, "infer": t_infer, "blend": t_blend,
                          "write": t_write, "total": total}}
    if args.json:
        print(json.dumps(result))
    else:
        print("%s: %d x %d px, %d patches (%s), %.2f s (read %.2f, infer %.2f, blend %.2f, write %.2f)"
              % (args.output, W, H, result["patches"], counts, total, t_read, t_infer, t_blend, t_write),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
