#!/usr/bin/env python3
"""The low-label comparison of the MoSAiC paper, on synthetic BigEarthNet-like data.

For every objective preset (mosaic, supervised, simclr, clip, supcon), every
label fraction (1 %, 10 %, 100 %) and every seed, it runs the `mosaic` CLI:

    train  (pre-training with the preset; the label fraction limits the labels
            the supervised terms see)
    probe  (linear multi-label heads on the frozen encoders, same labels)
    eval   (test split; thresholds tuned on validation)

and writes docs/experiments/low-label.md (mean +- std of mAP micro/macro,
F1 micro/macro, cosine silhouette) and docs/experiments/low-label.png
(mAP macro against the label fraction, one line per preset).

    scripts/experiment.py [--quick] [--build build] [--out docs/experiments]

--quick runs a smaller scene, fewer epochs and one seed (a smoke test of the
whole pipeline, minutes on 2 cores); its numbers are not for reporting.
Only the Python standard library is used (the plot is written by hand).
"""

import argparse
import json
import math
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib

PRESETS = ["mosaic", "supervised", "simclr", "clip", "supcon"]
FRACTIONS = [0.01, 0.1, 1.0]
METRICS = [("map_macro", "mAP macro"), ("map_micro", "mAP micro"),
           ("f1_macro_at_tuned", "F1 macro"), ("f1_micro_at_tuned", "F1 micro"),
           ("silhouette", "silhouette")]
# tab10 colours, one per preset.
COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)]


def run(cmd):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit("experiment: command failed: %s\n%s" % (" ".join(cmd), result.stdout))
    return result.stdout


def one_run(mosaic, data, work, preset, fraction, seed, cfg):
    tag = "%s-%g-%d" % (preset, fraction, seed)
    pre, probed, report = (os.path.join(work, tag + s) for s in (".pre.mosaic", ".mosaic", ".json"))
    run([mosaic, "train", data, "-o", pre, "--preset", preset, "--encoder", "small_cnn",
         "--width", "16", "--epochs", str(cfg["epochs"]), "--batch-size", "32", "--lr", "0.002",
         "--warmup-steps", "10", "--label-fraction", str(fraction), "--seed", str(seed),
         "--workers", "1", "-q"])
    run([mosaic, "probe", pre, data, "-o", probed, "--epochs", str(cfg["probe_epochs"]),
         "--label-fraction", str(fraction), "--seed", str(seed), "-q"])
    run([mosaic, "eval", probed, data, "--split", "test", "--val-split", "validation",
         "--seed", str(seed), "--json", report])
    with open(report) as f:
        result = json.load(f)
    values = {key: result["classification"].get(key) for key, _ in METRICS[:4]}
    coherence = result.get("cluster_coherence") or {}
    values["silhouette"] = coherence.get("silhouette")
    return values


def mean_std(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return "n/a"
    if len(values) == 1:
        return "%.3f" % values[0]
    return "%.3f ± %.3f" % (statistics.mean(values), statistics.stdev(values))


def write_png(path, width, height, pixels):
    """pixels: a bytearray of width*height*3 RGB bytes."""
    rows = b"".join(b"\x00" + bytes(pixels[y * width * 3:(y + 1) * width * 3])
                    for y in range(height))
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


def plot(path, results, seeds):
    """mAP macro (y, 0..1) against log10 label fraction (x), one line per preset."""
    w, h, m = 640, 480, 50
    px = bytearray([255] * (w * h * 3))
    def put(x, y, c):
        if 0 <= x < w and 0 <= y < h:
            px[(y * w + x) * 3:(y * w + x) * 3 + 3] = bytes(c)
    def line(x0, y0, x1, y1, c):
        n = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(n + 1):
            put(round(x0 + (x1 - x0) * i / n), round(y0 + (y1 - y0) * i / n), c)
    def to_xy(fraction, value):
        lx = (math.log10(fraction) + 2) / 2  # 0.01 -> 0, 1 -> 1
        return m + round(lx * (w - 2 * m)), h - m - round(value * (h - 2 * m))
    grey = (160, 160, 160)
    line(m, h - m, w - m, h - m, grey)
    line(m, m, m, h - m, grey)
    for tick in (0.25, 0.5, 0.75, 1.0):  # horizontal grid lines
        _, y = to_xy(1, tick)
        for x in range(m, w - m, 4):
            put(x, y, (220, 220, 220))
    for p, preset in enumerate(PRESETS):
        colour = COLOURS[p]
        points = []
        for fraction in FRACTIONS:
            values = [results[(preset, fraction, s)]["map_macro"] for s in seeds]
            points.append(to_xy(fraction, statistics.mean(values)))
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            for d in (-1, 0, 1):
                line(x0, y0 + d, x1, y1 + d, colour)
        for x, y in points:
            for dx in range(-3, 4):
                for dy in range(-3, 4):
                    put(x + dx, y + dy, colour)
        for dx in range(12):  # legend swatch, top right
            for dy in range(8):
                put(w - m - 20 + dx, m + 14 * p + dy, colour)
    write_png(path, w, h, px)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke-test configuration")
    parser.add_argument("--build", default="build", help="build folder holding cli/mosaic")
    parser.add_argument("--out", default="docs/experiments", help="where the table and plot go")
    args = parser.parse_args()
    cfg = (dict(size=1200, epochs=2, probe_epochs=5, seeds=[0]) if args.quick else
           dict(size=2400, epochs=10, probe_epochs=20, seeds=[0, 1, 2]))
    mosaic = os.path.join(args.build, "cli", "mosaic")
    os.makedirs(args.out, exist_ok=True)
    start = time.time()
    with tempfile.TemporaryDirectory() as work:
        run([mosaic, "synth", "-o", os.path.join(work, "data"), "--size", str(cfg["size"]),
             "--seed", "2026", "--layout", "v2"])
        data = "bigearthnet-v2:" + os.path.join(work, "data", "bigearthnet-v2")
        results = {}
        total = len(PRESETS) * len(FRACTIONS) * len(cfg["seeds"])
        for preset in PRESETS:
            for fraction in FRACTIONS:
                for seed in cfg["seeds"]:
                    results[(preset, fraction, seed)] = one_run(
                        mosaic, data, work, preset, fraction, seed, cfg)
                    print("%d/%d %s %g seed %d: mAP macro %.3f (%.0f s)" % (
                        len(results), total, preset, fraction, seed,
                        results[(preset, fraction, seed)]["map_macro"], time.time() - start),
                        flush=True)
    name = "low-label-quick" if args.quick else "low-label"
    lines = ["# Low-label comparison on synthetic data%s" % (" (quick mode: not for reporting)"
                                                          if args.quick else ""),
             "",
             "Made by `scripts/experiment.py%s` in %.0f min: a %d px synthetic scene "
             "(seed 2026, BigEarthNet v2.0 layout), small_cnn (width 16) dual-stream models "
             "pre-trained %d epochs per preset, linear probe %d epochs, test split, thresholds "
             "tuned on validation; mean ± std over seeds %s." % (
                 " --quick" if args.quick else "", (time.time() - start) / 60, cfg["size"],
                 cfg["epochs"], cfg["probe_epochs"], cfg["seeds"]),
             "",
             "| preset | labels | " + " | ".join(label for _, label in METRICS) + " |",
             "|---|---:|" + "---:|" * len(METRICS)]
    for preset in PRESETS:
        for fraction in FRACTIONS:
            cells = [mean_std([results[(preset, fraction, s)][key] for s in cfg["seeds"]])
                     for key, _ in METRICS]
            lines.append("| %s | %g %% | %s |" % (preset, fraction * 100, " | ".join(cells)))
    lines += ["", "![mAP macro against the label fraction](%s.png)" % name, "",
              "Plot: mAP macro (y, 0 to 1, grid every 0.25) against the label fraction "
              "(x, log scale, 1 % to 100 %); legend swatches top right, top to bottom: " +
              ", ".join(PRESETS) + "."]
    with open(os.path.join(args.out, name + ".md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    plot(os.path.join(args.out, name + ".png"), results, cfg["seeds"])
    print("wrote %s/%s.md and .png" % (args.out, name))


if __name__ == "__main__":
    main()
