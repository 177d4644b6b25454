#!/usr/bin/python3
"""Patches/s of the PyTorch model alone (mosaic_bundle.Classifier, fused head)
on in-memory batches: the Python counterpart of mosaic_bench_scene's
BM_ModelClassify (batch 16, 120 px, values drawn around the band statistics,
normalisation + forward + sigmoid, torch.inference_mode).

  model_throughput.py [--model M] [--batch-size 16] [--seconds 3] [--threads 0] [--nan-check] [--json]

--nan-check adds what PatchClassifier::Infer does before the forward pass:
torch.isfinite(x).all().item() on each input (an extra pass over the batch).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mosaic_bundle  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(here, "..", "..", "sample_data", "mosaic-sample.mosaic"))
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--nan-check", action="store_true", help="as PatchClassifier: isfinite(x).all() first")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    clf = mosaic_bundle.Classifier(args.model)
    rng = np.random.default_rng(3)
    inputs = {}
    for mod, (mean, std) in clf.stats.items():
        x = mean.numpy() + std.numpy() * rng.standard_normal((args.batch_size, mean.shape[1], clf.patch, clf.patch))
        inputs[mod] = x.astype(np.float32)
    tensors = {k: torch.from_numpy(v) for k, v in inputs.items()}

    def classify():
        with torch.inference_mode():
            if args.nan_check:
                for t in tensors.values():
                    if not torch.isfinite(t).all().item():
                        raise ValueError("NaN or Inf in the input")
            return torch.sigmoid(clf.logits(tensors.get("s1"), tensors.get("s2"))).numpy()

    for _ in range(3):
        classify()
    patches, start = 0, time.perf_counter()
    while True:
        classify()
        patches += args.batch_size
        if time.perf_counter() - start >= args.seconds:
            break
    rate = patches / (time.perf_counter() - start)
    if args.json:
        print(json.dumps({"patches_per_s": rate, "batch": args.batch_size, "nan_check": args.nan_check,
                          "torch_threads": torch.get_num_threads()}))
    else:
        print("PyTorch model alone: %.1f patches/s (batch %d, %d torch threads%s)" % (
            rate, args.batch_size, torch.get_num_threads(), ", NaN check" if args.nan_check else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
