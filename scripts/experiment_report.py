"""Renders docs/experiments/low-label.md from the cached runs of experiment.py:
tables (mean +- sd), paired differences with 95 % confidence intervals, the
smallest detectable difference, ablations, per-class AP of the class pairs
only one modality separates, and two hand-drawn PNG plots. Standard library only.
"""

import json
import math
import os
import statistics
import struct
import zlib

# Two-sided 95 % and one-sided 80 % quantiles of Student's t, by degrees of freedom.
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
        9: 2.262, 10: 2.228, 15: 2.131, 20: 2.086, 30: 2.042}
T80 = {1: 1.376, 2: 1.061, 3: 0.978, 4: 0.941, 5: 0.920, 6: 0.906, 7: 0.896, 8: 0.889,
       9: 0.883, 10: 0.879, 15: 0.866, 20: 0.860, 30: 0.854}

# The synthetic generator's class pairs that only one modality separates
# (synth::ConfusablePairs()), with the modality that separates them.
OVERLAP_PAIRS = [
    ("Pastures", "Natural grassland and sparsely vegetated areas", "S1"),
    ("Moors, heathland and sclerophyllous vegetation", "Inland wetlands", "S1"),
    ("Coniferous forest", "Mixed forest", "S2"),
    ("Inland waters", "Marine waters", "S2"),
]
MAIN_ARMS = ["random-init", "supervised", "simclr", "clip", "supcon", "mosaic"]
COLOURS = [(127, 127, 127), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (31, 119, 180)]


def t_quantile(table, df):
    keys = sorted(table)
    for k in keys:
        if df <= k:
            return table[k]
    return table[keys[-1]]


def finite(values):
    return [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def mean_sd(values):
    values = finite(values)
    if not values:
        return "n/a"
    if len(values) == 1:
        return "%.3f" % values[0]
    return "%.3f ± %.3f" % (statistics.mean(values), statistics.stdev(values))


def paired(a, b):
    """Mean, 95 % CI, sd and n of the paired differences a - b."""
    d = [x - y for x, y in zip(a, b) if x is not None and y is not None]
    n = len(d)
    if n < 2:
        return None
    m, sd = statistics.mean(d), statistics.stdev(d)
    half = t_quantile(T975, n - 1) * sd / math.sqrt(n)
    mde = (t_quantile(T975, n - 1) + t_quantile(T80, n - 1)) * sd / math.sqrt(n)
    return {"mean": m, "low": m - half, "high": m + half, "sd": sd, "n": n, "mde": mde}


def verdict(p, negligible=0.01):
    """What the 95 % CI says; a CI off zero by less than `negligible` mAP is flagged."""
    if p is None:
        return "n/a"
    small = " (negligible: < %.2f)" % negligible if abs(p["mean"]) < negligible else ""
    if p["low"] > 0:
        return "MoSAiC better" + small
    if p["high"] < 0:
        return "MoSAiC worse" + small
    return "no detectable difference"


def seeds_needed(sd, target=0.03):
    for n in range(2, 200):
        if (t_quantile(T975, n - 1) + t_quantile(T80, n - 1)) * sd / math.sqrt(n) <= target:
            return n
    return None


# --- PNG drawing ----------------------------------------------------------
class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray([255] * (w * h * 3))

    def put(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            self.px[(y * self.w + x) * 3:(y * self.w + x) * 3 + 3] = bytes(c)

    def line(self, x0, y0, x1, y1, c, thick=0):
        """A straight line; `thick` extra pixels on each side, across the line."""
        n = max(abs(x1 - x0), abs(y1 - y0), 1)
        horizontal = abs(x1 - x0) >= abs(y1 - y0)
        for i in range(n + 1):
            x, y = round(x0 + (x1 - x0) * i / n), round(y0 + (y1 - y0) * i / n)
            for d in range(-thick, thick + 1):
                self.put(x, y + d, c) if horizontal else self.put(x + d, y, c)

    def box(self, x, y, r, c):
        for dx in range(-r, r + 1):
            for dy in range(-r, r + 1):
                self.put(x + dx, y + dy, c)

    def save(self, path):
        rows = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                        for y in range(self.h))

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data +
                    struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
        png = (b"\x89PNG\r\n\x1a\n" +
               chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)) +
               chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
        with open(path, "wb") as f:
            f.write(png)


def plot_fractions(path, series, fractions):
    """mAP macro (y, 0..1) against log10 label fraction, one line per arm."""
    c = Canvas(640, 480)
    m = 50
    lo, hi = math.log10(min(fractions)), math.log10(max(fractions))
    span = max(hi - lo, 1e-9)

    def xy(f, v):
        return (m + round((math.log10(f) - lo) / span * (c.w - 2 * m)),
                c.h - m - round(v * (c.h - 2 * m)))
    grey = (160, 160, 160)
    c.line(m, c.h - m, c.w - m, c.h - m, grey)
    c.line(m, m, m, c.h - m, grey)
    for tick in (0.25, 0.5, 0.75, 1.0):
        _, y = xy(fractions[0], tick)
        for x in range(m, c.w - m, 4):
            c.put(x, y, (220, 220, 220))
    for i, (name, points) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        pts = [xy(f, v) for f, v in points if v is not None]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            for d in (-1, 0, 1):
                c.line(x0, y0 + d, x1, y1 + d, colour)
        for x, y in pts:
            c.box(x, y, 3, colour)
        for dx in range(12):
            for dy in range(8):
                c.put(c.w - m - 20 + dx, m + 14 * i + dy, colour)
    c.save(path)


def plot_forest(path, rows, limit):
    """One row per comparison: the 95 % CI as a bar, the mean as a box, zero dashed."""
    h = 40 + 22 * len(rows)
    c = Canvas(640, h)
    left, right = 40, 600

    def x_of(v):
        v = max(-limit, min(limit, v))
        return left + round((v + limit) / (2 * limit) * (right - left))
    for y in range(10, h - 10, 4):
        c.put(x_of(0.0), y, (120, 120, 120))
    for tick in (-limit / 2, limit / 2):
        for y in range(10, h - 10, 8):
            c.put(x_of(tick), y, (220, 220, 220))
    for i, p in enumerate(rows):
        y = 30 + 22 * i
        if p is None:
            continue
        colour = (31, 119, 180) if p["low"] > 0 else (214, 39, 40) if p["high"] < 0 else \
            (90, 90, 90)
        c.line(x_of(p["low"]), y, x_of(p["high"]), y, colour, 1)
        c.box(x_of(p["mean"]), y, 4, colour)
    c.save(path)


def benchmark_support(data_root):
    """Patches per split and test positives per class, from metadata.csv."""
    import csv
    path = os.path.join(data_root, "bigearthnet-v2", "metadata.csv")
    if not os.path.exists(path):
        return None
    patches, test = {}, {}
    with open(path) as f:
        for row in csv.DictReader(f):
            patches[row["split"]] = patches.get(row["split"], 0) + 1
            if row["split"] == "test":
                for label in json.loads(row["labels"]):
                    test[label] = test.get(label, 0) + 1
    return {"patches": patches, "test": test}


# --- the report -----------------------------------------------------------
def write_report(study, chosen, elapsed_s):
    cfg, args = study.cfg, study.args
    quick = args.quick
    name = "low-label-quick" if quick else "low-label"
    seeds, fractions = cfg["seeds"], cfg["fractions"]

    def get(arm, fraction, seed):
        return study.cached(arm, fraction, seed, chosen[arm])

    def metric(arm, fraction, protocol, key):
        out = []
        for s in seeds:
            r = get(arm, fraction, s)
            out.append(r[protocol][key] if r and r.get(protocol) else None)
        return out

    runs = [f for f in os.listdir(study.runs) if f.endswith(".json")]
    compute_s = 0.0
    for f in runs:
        with open(os.path.join(study.runs, f)) as fh:
            compute_s += json.load(fh).get("wall_s", 0.0)

    L = ["# Low-label study: MoSAiC against supervised and self-supervised pre-training%s" %
         (" (quick mode: not for reporting)" if quick else ""), ""]
    L += ["Generated by `scripts/experiment.py%s` from %d cached runs (%.1f h of run time, "
          "%.0f min in this invocation). Commands and design: below; discussion: the end." %
          (" --quick" if quick else "", len(runs), compute_s / 3600, elapsed_s / 60), ""]
    L += ["## Design", "",
          "- **Data**: `mosaic synth --size %d --seed 2026 --scenes %s`: synthetic S1/S2 scenes "
          "with distinct seeds, layouts, tiles; **split by scene** (train / validation / test "
          "scenes), BigEarthNet v2.0 layout, 19 classes, 120 px patches." % (
              cfg["size"], cfg["scenes"]),
          "- **Model**: dual-stream small_cnn (width %d), projection 128, batch %d with **%d "
          "labelled samples in every batch** (label-aware composition), %d pre-training steps, "
          "AdamW, cosine schedule." % (cfg["width"], cfg["batch"], cfg["labelled_per_batch"],
                                       cfg["pretrain_steps"]),
          "- **Linear probe**: heads re-initialised (same seed for every arm), %d steps, lr × "
          "weight decay chosen on the validation scenes from {%s} × {%s}, identical for every arm."
          % (cfg["probe_steps"], cfg["probe_lr_grid"], cfg["probe_wd_grid"]),
          "- **Fine-tuning**: heads re-initialised, encoders at 0.1 × lr, %d steps, lr from {%s} "
          "on validation." % (cfg["finetune_steps"], cfg["finetune_lr_grid"]),
          "- **Seeds** %s, paired: a seed fixes the labelled subset, the initialisation and the "
          "batch order of every arm. Label fractions %s%s." % (
              seeds, ", ".join("%g %%" % (100 * f) for f in fractions),
              "" if not cfg["ceiling_fraction"] else "; 100 % with seed 0 as the ceiling"),
          "- **Tuning, same budget for every arm**: 3 values of the arm's main hyper-parameter "
          "(temperature τ ∈ {0.05, 0.1, 0.2} for contrastive arms, pre-training lr ∈ "
          "{1e-3, 2e-3, 5e-3} for supervised; random-init has none) at 10 %% labels on tuning "
          "seed 100, scored by validation probe mAP. Chosen: %s." % ", ".join(
              "%s %s" % (a, "—" if v is None else "%g" % v) for a, v in chosen.items()),
          "- **Metrics** on the test scenes: mAP macro/micro, F1 (thresholds tuned on "
          "validation); kNN (k = 10) multi-label mAP and retrieval mAP on **encoder** features "
          "(cosine, reference = training scenes), silhouette on encoder features.", ""]

    # The benchmark's size and class support (independent of any model).
    support = benchmark_support(study.data_root)
    if support:
        counts = support["patches"]
        test = support["test"]
        L += ["**Benchmark.** %d train, %d validation, %d test patches. Test positives per "
              "class: %s. %d of %d classes have 20 or more test positives." % (
                  counts.get("train", 0), counts.get("validation", 0), counts.get("test", 0),
                  ", ".join("%s %d" % (k, v) for k, v in sorted(test.items(),
                                                             key=lambda kv: -kv[1])),
                  sum(1 for v in test.values() if v >= 20), len(test)), ""]

    # Sanity gate.
    gate_f = 0.1 if 0.1 in fractions else fractions[-1]
    ssl = finite(metric("simclr", gate_f, "linear", "map_macro"))
    rnd = finite(metric("random-init", gate_f, "linear", "map_macro"))
    gate = bool(ssl and rnd and statistics.mean(ssl) > statistics.mean(rnd))
    L += ["**Sanity gate** (SimCLR probe must beat the random-init probe at %g %%): %s "
          "(%.3f vs %.3f)." % (100 * gate_f, "passed" if gate else "FAILED",
                              statistics.mean(ssl) if ssl else float("nan"),
                              statistics.mean(rnd) if rnd else float("nan")), ""]

    # Main table.
    L += ["## Results (test scenes; mean ± sd over seeds)", "",
          "| arm | labels | protocol | mAP macro | mAP micro | F1 macro | kNN mAP | "
          "retrieval mAP | silhouette |", "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for arm in chosen:
        for f in fractions:
            for protocol in ("linear", "finetune"):
                cells = [mean_sd(metric(arm, f, protocol, k)) for k in
                         ("map_macro", "map_micro", "f1_macro")]
                emb = [mean_sd(metric(arm, f, "linear", k)) if protocol == "linear" else ""
                       for k in ("knn_map_macro", "retrieval_map", "silhouette")]
                L.append("| %s | %g %% | %s | %s | %s |" % (arm, 100 * f, protocol,
                                                           " | ".join(cells), " | ".join(emb)))
    if cfg["ceiling_fraction"]:
        L += ["", "Ceiling, 100 % labels, seed 0, linear probe: " + ", ".join(
            "%s %.3f" % (arm, (study.cached(arm, cfg["ceiling_fraction"], 0, chosen[arm]) or
                               {"linear": {"map_macro": float("nan")}})["linear"]["map_macro"])
            for arm in chosen) + "."]

    # Paired differences.
    comparisons, forest_rows, sds = [], [], []
    L += ["", "## Paired differences: MoSAiC − baseline (mAP macro, 95 % CI over seeds)", "",
          "| baseline | labels | protocol | difference | 95 % CI | sd | detectable (80 % power) "
          "| verdict |", "|---|---:|---|---:|---|---:|---:|---|"]
    for other in [a for a in chosen if a != "mosaic"]:
        for f in fractions:
            for protocol in ("linear", "finetune"):
                p = paired(metric("mosaic", f, protocol, "map_macro"),
                           metric(other, f, protocol, "map_macro"))
                if other in ("random-init", "supervised", "simclr", "clip", "supcon"):
                    forest_rows.append(("%s %g%% %s" % (other, 100 * f, protocol), p))
                if p:
                    sds.append(p["sd"])
                comparisons.append((other, f, protocol, p))
                L.append("| %s | %g %% | %s | %s | %s | %s | %s | %s |" % (
                    other, 100 * f, protocol,
                    "%+.3f" % p["mean"] if p else "n/a",
                    "[%+.3f, %+.3f]" % (p["low"], p["high"]) if p else "n/a",
                    "%.3f" % p["sd"] if p else "n/a", "%.3f" % p["mde"] if p else "n/a",
                    verdict(p)))
    if sds:
        sd_med = statistics.median(sds)
        n_now = statistics.median([p["n"] for _, _, _, p in comparisons if p])
        n = len(seeds)
        mde = (t_quantile(T975, n - 1) + t_quantile(T80, n - 1)) * sd_med / math.sqrt(n)
        need = seeds_needed(sd_med)
        L += ["", "**Power.** The median sd of the paired differences (over the comparisons "
              "above, %g paired seeds each in the median) is %.4f. With the design's %d paired "
              "seeds a paired t-test (α = 0.05, two-sided) then detects a difference of **%.3f** "
              "mAP macro with 80 %% power ((t₀.₉₇₅ + t₀.₈₀) · sd / √n); %s. Comparisons whose "
              "own sd is larger (the table's 'detectable' column) detect less." % (
                  n_now, sd_med, n, mde,
                  "the 0.03 target is met" if mde <= 0.03 else
                  "the 0.03 target needs about %s seeds" % (need or "more than 200"))]

    # Ablations.
    L += ["", "## Ablations: MoSAiC − variant (linear probe, mAP macro)", "",
          "| variant | labels | difference | 95 % CI | verdict |", "|---|---:|---:|---|---|"]
    for arm in [a for a in chosen if a.startswith("mosaic-")]:
        for f in fractions:
            p = paired(metric("mosaic", f, "linear", "map_macro"),
                       metric(arm, f, "linear", "map_macro"))
            L.append("| %s | %g %% | %s | %s | %s |" % (
                arm, 100 * f, "%+.3f" % p["mean"] if p else "n/a",
                "[%+.3f, %+.3f]" % (p["low"], p["high"]) if p else "n/a", verdict(p)))

    # Overlap pairs.
    L += ["", "## Class pairs only one modality separates (per-class AP, linear probe)", "",
          "| class (separated by) | labels | " + " | ".join(MAIN_ARMS) + " |",
          "|---|---:|" + "---:|" * len(MAIN_ARMS)]
    for a, b, modality in OVERLAP_PAIRS:
        for cls in (a, b):
            for f in fractions:
                cells = []
                for arm in MAIN_ARMS:
                    vals = []
                    for s in seeds:
                        r = get(arm, f, s)
                        vals.append(r["linear"]["per_class_ap"].get(cls) if r else None)
                    cells.append(mean_sd(vals))
                L.append("| %s (%s) | %g %% | %s |" % (cls, modality, 100 * f, " | ".join(cells)))

    # Plots.
    plot_f = list(fractions) + ([cfg["ceiling_fraction"]] if cfg["ceiling_fraction"] else [])
    series = []
    for arm in MAIN_ARMS:
        pts = []
        for f in plot_f:
            vals = finite(metric(arm, f, "linear", "map_macro")) if f in fractions else finite(
                [(study.cached(arm, f, 0, chosen[arm]) or {"linear": {"map_macro": None}})
                 ["linear"]["map_macro"]])
            pts.append((f, statistics.mean(vals) if vals else None))
        series.append((arm, pts))
    if len(plot_f) > 1:
        plot_fractions(os.path.join(args.out, name + ".png"), series, plot_f)
    limit = max([0.05] + [max(abs(p["low"]), abs(p["high"])) for _, p in forest_rows if p])
    limit = math.ceil(limit * 20) / 20
    plot_forest(os.path.join(args.out, name + "-forest.png"), [p for _, p in forest_rows], limit)
    L += ["", "## Plots", ""]
    if len(plot_f) > 1:
        L += ["![mAP macro against the label fraction](%s.png)" % name, "",
              "mAP macro of the linear probe (y, 0 to 1, grid every 0.25) against the label "
              "fraction (x, log scale, %s); legend swatches top right, top to bottom: %s." % (
                  " / ".join("%g %%" % (100 * f) for f in plot_f), ", ".join(MAIN_ARMS)), ""]
    L += ["![paired differences](%s-forest.png)" % name, "",
          "Forest plot of MoSAiC − baseline (x from %+.2f to %+.2f, dashed line at 0, light "
          "lines at ±%.3f): 95 %% CI bars, blue when MoSAiC is better, red when worse, grey "
          "when the CI holds 0. Rows top to bottom: %s." % (
              -limit, limit, limit / 2, "; ".join(label for label, _ in forest_rows)), ""]

    # Commands, notes.
    L += ["## Reproduce", "", "```sh",
          "bash scripts/build.sh build",
          "python3 scripts/experiment.py --stage pilot   # one timed run, for sizing",
          "python3 scripts/experiment.py --jobs 2        # resumable; cached runs are skipped",
          "```", "",
          "Cached run results: `%s/` (one JSON per run; delete one to rerun it)." %
          os.path.relpath(study.runs, os.getcwd()), ""]
    notes = os.path.join(args.out, name + "-notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            L += [f.read().rstrip(), ""]
    with open(os.path.join(args.out, name + ".md"), "w") as f:
        f.write("\n".join(L) + "\n")
    print("wrote %s/%s.md" % (args.out, name))
