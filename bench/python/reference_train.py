#!/usr/bin/python3
"""The Python training loop a user would write for the MoSAiC model: the
reference that the C++ trainer's samples/s are compared with (bench/run-all.sh).

  reference_train.py [--encoder small_cnn] [--width 32] [--batch-size 32] [--steps 8]
                     [--samples 128] [--augment full|none] [--workers 1] [--threads 0]
                     [--preset mosaic|supervised] [--repeat 1] [--json]

Mirrors bench/train_bench.cpp (BM_TrainSteps: the real Trainer) and, with
--augment none, bench/loader_bench.cpp (BM_TrainStep: one step on a fixed batch):

  data       --samples BigEarthNet-like samples in memory, as bench/bench_fixtures.cpp
             makes them: 12 S2 bands ~ U(300, 3000), 2 S1 bands ~ N(-12, 3) dB,
             120 x 120 px, 19 classes with label (i + c) % 5 == 0; normalisation
             statistics from the first 32 samples (the benchmarks' normalization_samples)
  model      mosaic_bundle.DualStreamModel, the same encoder for both streams
             (small_cnn of --width, or resnet18/34/50), projection 512 -> 128
  loader     torch.utils.data.DataLoader, shuffled, drop_last, --workers worker
             processes (persistent), each sample rendered into two views
  views      --augment full: the C++ defaults of AugmentOptions (libmosaic/include/
             mosaic/data/augment.h), drawn with torch's generator: random resized crop
             (p 1, scale 0.5-1, ratio 3/4-4/3, bilinear, align_corners=False), h/v
             flip (0.5 each), rot90 (0.5, k in 1..3), shared by S1 and S2; S2
             brightness/contrast jitter (p 0.8, +-0.4) around the band means;
             S1 speckle 10 log10(Gamma(4, 1/4)) (p 0.5) and N(0, 0.5) dB noise (p 0.5);
             normalisation; band dropout (p 0.1 per modality).
             --augment none: both views are the normalised sample (no loader in
             the loop: one batch is built once and reused, as BM_TrainStep does)
  objective  --preset mosaic: NT-Xent per modality (tau 0.1) + cross-modal InfoNCE on
             view1 (tau 0.1) + multi-label SupCon with Jaccard weights over the four
             views of every sample (tau 0.1), weights 1 (libmosaic/src/losses/);
             --preset supervised: mean BCE-with-logits over the fused, s1 and s2 heads
  optimiser  AdamW(lr 1e-3, weight decay 1e-4), 1 warm-up step then cosine decay to 0
             (LearningRateAt), no gradient clipping; the loss is read back every
             step (.item()), as the C++ trainer logs it.

samples/s counts every step from the first batch request to the last optimiser
step (the C++ trainer's summary.samples_per_s convention); the rate without the
first step is printed too.

Differences from the C++ trainer, all outside the model and the loss: the random
streams (torch's generator instead of libmosaic's portable per-view seeds, so
the views differ pixel for pixel but not in distribution); speckle and noise are
drawn exactly per pixel (torch.distributions) instead of from quantile tables;
the loader is a worker process with pickled batches instead of a worker thread.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mosaic_bundle  # noqa: E402

PATCH = 120
CLASSES = 19


def make_dataset(count, seed=7):
    rng = np.random.default_rng(seed)
    s1 = rng.normal(-12.0, 3.0, (count, 2, PATCH, PATCH)).astype(np.float32)
    s2 = rng.uniform(300.0, 3000.0, (count, 12, PATCH, PATCH)).astype(np.float32)
    labels = np.array([[(i + c) % 5 == 0 for c in range(CLASSES)] for i in range(count)], np.float32)
    n = min(32, count)
    stats = {"s1": (s1[:n].mean((0, 2, 3)), s1[:n].std((0, 2, 3))),
             "s2": (s2[:n].mean((0, 2, 3)), s2[:n].std((0, 2, 3)))}
    return torch.from_numpy(s1), torch.from_numpy(s2), torch.from_numpy(labels), stats


class TwoViewDataset(torch.utils.data.Dataset):
    """Returns (s1 view1, s2 view1, s1 view2, s2 view2, labels), augmented and normalised."""

    def __init__(self, s1, s2, labels, stats, augment):
        self.s1, self.s2, self.labels = s1, s2, labels
        self.mean = {k: torch.from_numpy(v[0]).view(-1, 1, 1) for k, v in stats.items()}
        self.std = {k: torch.from_numpy(v[1]).view(-1, 1, 1) for k, v in stats.items()}
        self.augment = augment
        self.gamma = torch.distributions.Gamma(torch.tensor(4.0), torch.tensor(4.0))

    def __len__(self):
        return self.s1.shape[0]

    @staticmethod
    def geometry():
        s = PATCH
        area = s * s * float(torch.empty(1).uniform_(0.5, 1.0))
        for _ in range(10):  # torchvision's RandomResizedCrop box
            ratio = math.exp(float(torch.empty(1).uniform_(math.log(3 / 4), math.log(4 / 3))))
            w = int(round(math.sqrt(area * ratio)))
            h = int(round(math.sqrt(area / ratio)))
            if 0 < w <= s and 0 < h <= s:
                top = int(torch.randint(0, s - h + 1, (1,)))
                left = int(torch.randint(0, s - w + 1, (1,)))
                break
        else:
            top, left, h, w = 0, 0, s, s
        return (top, left, h, w, bool(torch.rand(1) < 0.5), bool(torch.rand(1) < 0.5),
                int(torch.randint(1, 4, (1,))) if torch.rand(1) < 0.5 else 0)

    @staticmethod
    def apply_geometry(x, g):
        top, left, h, w, hflip, vflip, rot = g
        x = x[:, top:top + h, left:left + w]
        if (h, w) != (PATCH, PATCH):
            x = F.interpolate(x[None], size=(PATCH, PATCH), mode="bilinear", align_corners=False)[0]
        if hflip:
            x = x.flip(2)
        if vflip:
            x = x.flip(1)
        if rot:
            x = torch.rot90(x, rot, (1, 2))
        return x

    def view(self, i):
        s1, s2 = self.s1[i], self.s2[i]
        if self.augment:
            g = self.geometry()
            s1, s2 = self.apply_geometry(s1, g), self.apply_geometry(s2, g)
            if torch.rand(1) < 0.8:
                b = float(torch.empty(1).uniform_(0.6, 1.4))
                c = float(torch.empty(1).uniform_(0.6, 1.4))
                m = s2.mean((1, 2), keepdim=True)
                s2 = ((s2 - m) * c + m) * b
            if torch.rand(1) < 0.5:
                s1 = s1 + 10.0 * torch.log10(self.gamma.sample(s1.shape))
            if torch.rand(1) < 0.5:
                s1 = s1 + 0.5 * torch.randn(s1.shape)
        s1 = (s1 - self.mean["s1"]) / self.std["s1"]
        s2 = (s2 - self.mean["s2"]) / self.std["s2"]
        if self.augment:
            for x in (s1, s2):
                if torch.rand(1) < 0.1:
                    x[int(torch.randint(0, x.shape[0], (1,)))] = 0.0
        return s1, s2

    def __getitem__(self, i):
        a1, a2 = self.view(i)
        b1, b2 = self.view(i)
        return a1, a2, b1, b2, self.labels[i]


def nt_xent(v1, v2, tau):
    n = v1.shape[0]
    z = F.normalize(torch.cat([v1, v2]), dim=1)
    logits = (z @ z.t() / tau).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, targets)


def cross_modal_infonce(a, b, tau):
    a, b = F.normalize(a, dim=1), F.normalize(b, dim=1)
    logits = a @ b.t() / tau
    t = torch.arange(a.shape[0])
    return 0.5 * (F.cross_entropy(logits, t) + F.cross_entropy(logits.t(), t))


def multilabel_supcon(z, labels, tau):
    m = z.shape[0]
    z = F.normalize(z, dim=1)
    y = (labels > 0.5).to(z.dtype)
    inter = y @ y.t()
    count = y.sum(1)
    weights = inter / (count[:, None] + count[None, :] - inter).clamp_min(1.0)  # Jaccard
    blocked = torch.eye(m, dtype=torch.bool)
    log_prob = torch.log_softmax((z @ z.t() / tau).masked_fill(blocked, float("-inf")), 1)
    log_prob = log_prob.masked_fill(blocked, 0.0)
    weights = weights.masked_fill(blocked, 0.0)
    mass = weights.sum(1)
    anchor = mass > 0
    per_anchor = -(weights * log_prob).sum(1) / mass.masked_fill(~anchor, 1.0)
    return per_anchor.masked_fill(~anchor, 0.0).sum() / anchor.sum().clamp_min(1).to(z.dtype)


def objective(preset, out1, out2, labels, tau=0.1):
    if preset == "supervised":
        heads = [out1[k] for k in ("fused_logits", "s1_logits", "s2_logits")]
        return torch.stack([F.binary_cross_entropy_with_logits(h, labels) for h in heads]).mean()
    intra = nt_xent(out1["s1_embedding"], out2["s1_embedding"], tau) + \
        nt_xent(out1["s2_embedding"], out2["s2_embedding"], tau)
    inter = cross_modal_infonce(out1["s1_embedding"], out1["s2_embedding"], tau)
    z = torch.cat([out1["s1_embedding"], out2["s1_embedding"], out1["s2_embedding"], out2["s2_embedding"]])
    sup = multilabel_supcon(z, labels.repeat(4, 1), tau)
    return intra + inter + sup


def lr_at(step, total, peak=1e-3, warmup=1, minimum=0.0):
    if step < warmup:
        return peak * (step + 1) / warmup
    t = min(1.0, (step - warmup) / max(1, total - warmup - 1))
    return minimum + (peak - minimum) * 0.5 * (1.0 + math.cos(math.pi * t))


def run_once(args, data):
    s1, s2, labels, stats = data
    torch.manual_seed(0)
    model = mosaic_bundle.DualStreamModel(args.encoder, args.encoder, 2, 12, CLASSES,
                                          small_cnn_width=args.width)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    dataset = TwoViewDataset(s1, s2, labels, stats, augment=args.augment == "full")
    if args.augment == "full":
        loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, shuffle=True,
                                             drop_last=True, num_workers=args.workers,
                                             persistent_workers=args.workers > 0)
        batches = None
    else:
        loader = None
        items = [dataset[i] for i in range(args.batch_size)]
        batches = [torch.stack([it[k] for it in items]) for k in range(5)]

    def batch_stream():
        while True:
            if loader is None:
                yield batches
            else:
                yield from loader

    step_times = []
    start = time.perf_counter()
    stream = batch_stream()
    for step in range(args.steps):
        t0 = time.perf_counter()
        a1, a2, b1, b2, y = next(stream)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps)
        out1 = model(a1, a2)
        out2 = model(b1, b2) if args.preset != "supervised" else None
        loss = objective(args.preset, out1, out2, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        step_times.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - start
    samples = args.steps * args.batch_size
    rest = sum(step_times[1:])
    return {"samples_per_s": samples / seconds,
            "samples_per_s_after_first": (samples - args.batch_size) / rest if args.steps > 1 else None,
            "seconds": seconds, "final_loss": float(loss)}


def main():
    ap = argparse.ArgumentParser(description="Python training-loop reference (samples/s)")
    ap.add_argument("--encoder", default="small_cnn")
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--samples", type=int, default=128)
    ap.add_argument("--augment", choices=["full", "none"], default="full")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    ap.add_argument("--preset", choices=["mosaic", "supervised"], default="mosaic")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    data = make_dataset(args.samples)
    runs = [run_once(args, data) for _ in range(args.repeat)]
    rates = sorted(r["samples_per_s"] for r in runs)
    result = {"encoder": args.encoder, "width": args.width, "batch": args.batch_size, "steps": args.steps,
              "augment": args.augment, "workers": args.workers, "preset": args.preset,
              "torch_threads": torch.get_num_threads(), "runs": runs,
              "median_samples_per_s": rates[len(rates) // 2]}
    if args.json:
        print(json.dumps(result))
    else:
        print("python loop: %s w%d, batch %d, %d steps, augment %s, %d torch threads: %.1f samples/s "
              "(median of %d; last run %.1f without its first step, loss %.3f)" % (
                  args.encoder, args.width, args.batch_size, args.steps, args.augment,
                  torch.get_num_threads(), result["median_samples_per_s"], len(runs),
                  runs[-1]["samples_per_s_after_first"] or 0, runs[-1]["final_loss"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
