#!/usr/bin/env python3
"""The low-label study of the MoSAiC paper, on a multi-scene synthetic benchmark.

Does MoSAiC beat fully supervised and self-supervised pre-training when labels
are scarce? Every arm runs through the `mosaic` CLI:

    train  pre-training with the arm's objective (label-aware batches: k
           labelled samples in every batch of 32)
    probe  linear probe on frozen encoders, heads re-initialised, a fixed step
           budget, learning rate x weight decay chosen on the validation split
    eval   test split (scenes never seen in training): mAP, F1, kNN and
           retrieval mAP and silhouette on encoder features
    probe --finetune + eval   the fine-tuning protocol, same budget rules

Design (docs/experiments/low-label.md says why):
  * data: `mosaic synth --scenes 5,1,2`: 8 scenes with distinct seeds, split by
    scene (5 train, 1 validation, 2 test);
  * seeds are paired: seed s fixes the labelled subset, the initialisation
    and the batch order of every arm;
  * every arm gets the same tuning budget: 3 values of its main
    hyper-parameter (the temperature for contrastive arms, the learning rate
    for the supervised one) scored by validation probe mAP at 10 % labels on a
    tuning seed that is not a test seed;
  * the study is resumable: every finished run is one JSON file in --runs
    (committed), so it can span sessions; bundles live in --work and are
    deleted after their run.

    scripts/experiment.py [--quick] [--build build] [--out docs/experiments]
                          [--runs DIR] [--work DIR] [--jobs 2] [--stage all|pilot|tune|main|report]

--quick: a tiny benchmark, one seed, every arm and both protocols (a smoke
test for CI, minutes); its numbers are not for reporting.
Only the Python standard library is used (plots are written by hand).
"""

import argparse
import concurrent.futures
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment_report  # noqa: E402  (report rendering: tables, statistics, plots)

# Arm name -> (preset, extra `mosaic train` arguments, tunable parameter).
ARMS = {
    "random-init": ("simclr", [], None),
    "supervised": ("supervised", [], "lr"),
    "simclr": ("simclr", [], "tau"),
    "clip": ("clip", [], "tau"),
    "supcon": ("supcon", [], "tau"),
    "mosaic": ("mosaic", [], "tau"),
    "mosaic-no-sup": ("mosaic", ["--lambda-sup", "0"], "tau"),
    "mosaic-no-inter": ("mosaic", ["--lambda-inter", "0"], "tau"),
    "mosaic-no-intra": ("mosaic", ["--lambda-intra", "0"], "tau"),
    "mosaic-san": ("mosaic", ["--negatives", "remove"], "tau"),
}
BASELINES = ["random-init", "supervised", "simclr", "clip", "supcon"]
ABLATIONS = ["mosaic-no-sup", "mosaic-no-inter", "mosaic-no-intra", "mosaic-san"]
TUNE_GRID = {"tau": [0.05, 0.1, 0.2], "lr": [1e-3, 2e-3, 5e-3]}
DEFAULT = {"tau": 0.1, "lr": 2e-3}
TUNING_SEED = 100

# Sized from the pilot (docs/experiments/low-label.md, "Cost").
FULL = dict(size=2400, scenes="5,1,2", width=16, batch=32, labelled_per_batch=8,
            pretrain_steps=150, probe_steps=300, finetune_steps=60,
            probe_lr_grid="3e-3,3e-2,3e-1", probe_wd_grid="0,1e-2",
            finetune_lr_grid="3e-3,3e-2", seeds=[0, 1, 2, 3, 4], fractions=[0.01, 0.1],
            ceiling_fraction=1.0, tune=True)
QUICK = dict(size=600, scenes="2,1,1", width=4, batch=8, labelled_per_batch=2,
             pretrain_steps=3, probe_steps=4, finetune_steps=2,
             probe_lr_grid="1e-2,1e-1", probe_wd_grid="0", finetune_lr_grid="1e-3",
             seeds=[0], fractions=[0.2], ceiling_fraction=None, tune=False)


def log(message):
    print(message, flush=True)


def run(cmd, env=None):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    if result.returncode != 0:
        raise RuntimeError("command failed: %s\n%s" % (" ".join(cmd), result.stdout[-4000:]))
    return result.stdout


class Study:
    def __init__(self, args, cfg):
        self.args, self.cfg = args, cfg
        self.mosaic = os.path.abspath(os.path.join(args.build, "cli", "mosaic"))
        self.work = os.path.abspath(args.work)
        self.runs = os.path.abspath(args.runs)
        self.data_root = os.path.join(self.work, "data")
        self.dataset = "bigearthnet-v2:" + os.path.join(self.data_root, "bigearthnet-v2")
        self.env = dict(os.environ)
        if args.jobs > 1:  # one core per job
            self.env["OMP_NUM_THREADS"] = "1"
            self.env["MKL_NUM_THREADS"] = "1"
        os.makedirs(self.work, exist_ok=True)
        os.makedirs(self.runs, exist_ok=True)

    # --- data -------------------------------------------------------------
    def make_data(self):
        if os.path.exists(os.path.join(self.data_root, "scenes.json")):
            return
        shutil.rmtree(self.data_root, ignore_errors=True)
        log("generating the benchmark (%s scenes of %d px)..." % (self.cfg["scenes"],
                                                                 self.cfg["size"]))
        run([self.mosaic, "synth", "-o", self.data_root, "--size", str(self.cfg["size"]),
             "--seed", "2026", "--scenes", self.cfg["scenes"]], self.env)

    # --- one run ----------------------------------------------------------
    def key(self, arm, fraction, seed, value):
        tag = "default" if value is None else "%g" % value
        return "%s_f%g_s%d_%s" % (arm, fraction, seed, tag)

    def result_path(self, key):
        return os.path.join(self.runs, key + ".json")

    def cached(self, arm, fraction, seed, value):
        path = self.result_path(self.key(arm, fraction, seed, value))
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        return None

    def train_args(self, arm, value):
        preset, extra, tunable = ARMS[arm]
        cfg = self.cfg
        lr = value if tunable == "lr" else DEFAULT["lr"]
        args = ["--preset", preset, "--encoder", "small_cnn", "--width", str(cfg["width"]),
                "--batch-size", str(cfg["batch"]), "--labelled-per-batch",
                str(cfg["labelled_per_batch"]), "--workers", "1", "--cache-mb", "2048",
                "-q"] + extra
        if arm == "random-init":
            # The architecture as the seed initialises it, with the dataset's
            # band statistics, written by the same code path: one step whose
            # learning rate cannot move a float32 weight.
            return args + ["--steps", "1", "--lr", "1e-30"]
        args += ["--steps", str(cfg["pretrain_steps"]), "--lr", "%g" % lr,
                 "--warmup-steps", str(max(1, cfg["pretrain_steps"] // 20))]
        if tunable == "tau":
            args += ["--tau", "%g" % value]
        return args

    def evaluate(self, bundle, report, embedding_quality=True):
        extra = [] if embedding_quality else ["--knn-split", "", "--no-clusters"]
        run([self.mosaic, "eval", bundle, self.dataset, "--split", "test", "--val-split",
             "validation", "--workers", "1", "--json", report, "--overwrite"] + extra, self.env)
        with open(report) as f:
            return json.load(f)

    def save(self, key, result):
        path = self.result_path(key)
        with open(path + ".tmp", "w") as f:
            json.dump(result, f, indent=1)
        os.replace(path + ".tmp", path)

    def one_run(self, arm, fraction, seed, value, finetune=True):
        """Pre-train, probe, evaluate (and fine-tune); cached as one JSON file.

        The linear result is saved as soon as it exists and the pre-trained
        bundle is kept until the fine-tuning is done, so a first pass can run
        every linear probe and a second pass the fine-tuning.
        """
        hit = self.cached(arm, fraction, seed, value)
        if hit is not None and (hit.get("finetune") is not None or not finetune):
            return hit
        key = self.key(arm, fraction, seed, value)
        folder = os.path.join(self.work, key)
        os.makedirs(folder, exist_ok=True)
        cfg = self.cfg
        start = time.time()
        pre = os.path.join(folder, "pre.mosaic")
        common = ["--label-fraction", "%g" % fraction, "--seed", str(seed)]
        result = hit
        if result is None or not os.path.exists(pre):
            if os.path.exists(pre):
                os.remove(pre)
            run([self.mosaic, "train", self.dataset, "-o", pre] + self.train_args(arm, value) +
                common, self.env)
        if result is None:
            pretrain_s = time.time() - start
            linear = os.path.join(folder, "linear.mosaic")
            run([self.mosaic, "probe", pre, self.dataset, "-o", linear, "--overwrite", "--steps",
                 str(cfg["probe_steps"]), "--batch-size", str(cfg["batch"]), "--lr-grid",
                 cfg["probe_lr_grid"], "--weight-decay-grid", cfg["probe_wd_grid"],
                 "--val-split", "validation", "--workers", "1", "-q"] + common, self.env)
            result = {"arm": arm, "fraction": fraction, "seed": seed, "value": value,
                      "pretrain_s": pretrain_s,
                      "linear": self.summarise(
                          self.evaluate(linear, os.path.join(folder, "l.json"))),
                      "finetune": None, "wall_s": time.time() - start}
            self.save(key, result)
            os.remove(linear)
        if finetune:
            ft_start = time.time()
            tuned = os.path.join(folder, "finetune.mosaic")
            run([self.mosaic, "probe", pre, self.dataset, "-o", tuned, "--overwrite",
                 "--finetune", "--steps", str(cfg["finetune_steps"]), "--batch-size",
                 str(cfg["batch"]), "--lr-grid", cfg["finetune_lr_grid"], "--val-split",
                 "validation", "--workers", "1", "--cache-mb", "1024", "-q"] + common, self.env)
            # Embedding quality is a property of the pre-trained encoders (the
            # linear row); the fine-tuned ones are scored on classification.
            result["finetune"] = self.summarise(
                self.evaluate(tuned, os.path.join(folder, "f.json"), False))
            result["wall_s"] = result.get("wall_s", 0.0) + time.time() - ft_start
            self.save(key, result)
            shutil.rmtree(folder, ignore_errors=True)
        return result

    @staticmethod
    def summarise(report):
        """The numbers the report needs from one `mosaic eval` JSON."""
        c = report["classification"]
        probe = report["model"]["training"].get("probe", {})
        trials = probe.get("trials", [])
        chosen = [t["validation_map_macro"] for t in trials
                  if t["learning_rate"] == probe.get("learning_rate") and
                  t["weight_decay"] == probe.get("weight_decay")]
        quality = report.get("embedding_quality") or {}
        cluster = report.get("cluster_coherence") or {}
        return {
            "map_macro": c.get("map_macro"), "map_micro": c.get("map_micro"),
            "f1_macro": c.get("f1_macro_at_tuned"), "f1_micro": c.get("f1_micro_at_tuned"),
            "per_class_ap": {row["name"]: row.get("average_precision") for row in c["classes"]},
            "validation_map_macro": chosen[0] if chosen else None,
            "probe_lr": probe.get("learning_rate"), "probe_wd": probe.get("weight_decay"),
            "knn_map_macro": quality.get("knn_map_macro"),
            "retrieval_map": quality.get("retrieval_map"),
            "silhouette": cluster.get("silhouette"),
        }

    # --- stages -----------------------------------------------------------
    def parallel(self, jobs):
        """Runs (label, fn) pairs on --jobs workers; returns their results."""
        results, failed = [], []
        with concurrent.futures.ThreadPoolExecutor(self.args.jobs) as pool:
            futures = {pool.submit(fn): label for label, fn in jobs}
            for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
                try:
                    r = future.result()
                except RuntimeError as e:  # one failed run must not hide the others
                    failed.append(futures[future])
                    log("  %d/%d %s: FAILED\n%s" % (done, len(jobs), futures[future], e))
                    continue
                results.append(r)
                log("  %d/%d %s: linear mAP %.3f (%.0f s)" % (
                    done, len(jobs), futures[future], r["linear"]["map_macro"] or float("nan"),
                    r.get("wall_s", 0.0)))
        if failed:
            sys.exit("experiment: %d runs failed: %s" % (len(failed), ", ".join(failed)))
        return results

    def tune(self):
        """Chooses each arm's value on validation: same 3-point budget for all."""
        chosen = {}
        jobs = []
        for arm, (_, _, tunable) in ARMS.items():
            grid = TUNE_GRID[tunable] if (tunable and self.cfg["tune"]) else [None]
            for value in grid:
                v = value if value is not None else (DEFAULT[tunable] if tunable else None)
                jobs.append(("tune %s %s" % (arm, v),
                             lambda a=arm, v=v: self.one_run(a, 0.1, TUNING_SEED, v, False)))
        if self.cfg["tune"]:
            self.parallel(jobs)
        for arm, (_, _, tunable) in ARMS.items():
            if not tunable:
                chosen[arm] = None
                continue
            if not self.cfg["tune"]:
                chosen[arm] = DEFAULT[tunable]
                continue
            scored = [(self.cached(arm, 0.1, TUNING_SEED, v)["linear"]["validation_map_macro"]
                       or -1.0, -i, v) for i, v in enumerate(TUNE_GRID[tunable])]
            chosen[arm] = max(scored)[2]
        return chosen

    def main_runs(self, chosen):
        """Pass 1: every linear probe, seed by seed; pass 2: the fine-tuning."""
        def jobs(finetune):
            out = []
            for seed in self.cfg["seeds"]:
                for fraction in self.cfg["fractions"]:
                    for arm in ARMS:
                        out.append(("%s %g%% seed %d%s" % (arm, 100 * fraction, seed,
                                                           " fine-tune" if finetune else ""),
                                    lambda a=arm, f=fraction, s=seed: self.one_run(
                                        a, f, s, chosen[a], finetune)))
            return out
        ceiling = []
        if self.cfg["ceiling_fraction"]:
            ceiling = [("%s 100%% seed 0" % arm,
                        lambda a=arm: self.one_run(a, self.cfg["ceiling_fraction"], 0,
                                                   chosen[a], False)) for arm in ARMS]
        return self.parallel(jobs(False) + ceiling) + self.parallel(jobs(True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke-test configuration")
    parser.add_argument("--build", default="build", help="build folder holding cli/mosaic")
    parser.add_argument("--out", default="docs/experiments", help="where the report goes")
    parser.add_argument("--runs", default=None,
                        help="cached run results (default: OUT/low-label-runs, or OUT/runs-quick)")
    parser.add_argument("--work", default=None, help="scratch folder (default: BUILD/experiment)")
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel")
    parser.add_argument("--no-gate", action="store_true", help="skip the sanity gate")
    parser.add_argument("--stage", default="all", choices=["all", "pilot", "tune", "main",
                                                           "report"])
    args = parser.parse_args()
    cfg = QUICK if args.quick else FULL
    if args.runs is None:
        args.runs = os.path.join(args.out, "low-label-runs-quick" if args.quick else
                                 "low-label-runs")
    if args.work is None:
        args.work = os.path.join(args.build, "experiment-quick" if args.quick else "experiment")
    if args.quick:
        # A smoke test must exercise the code as it is now: no cached runs.
        shutil.rmtree(args.runs, ignore_errors=True)
        shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.out, exist_ok=True)
    study = Study(args, cfg)
    start = time.time()
    study.make_data()
    if args.stage == "pilot":
        # One run of the most expensive arm, timed: the basis for sizing.
        r = study.one_run("mosaic", 0.1, 999, DEFAULT["tau"])
        log("pilot: pre-training %.0f s, whole run %.0f s" % (r["pretrain_s"], r["wall_s"]))
        return
    chosen = study.tune() if args.stage in ("all", "tune", "main", "report") else {}
    log("chosen: %s" % json.dumps(chosen))
    if cfg["tune"] and args.stage in ("all", "main") and not args.no_gate:
        # Sanity gate: self-supervised features must beat random ones on
        # validation, else something is broken; stop and find out why.
        simclr = study.cached("simclr", 0.1, TUNING_SEED, chosen["simclr"])
        rnd = study.cached("random-init", 0.1, TUNING_SEED, None)
        a, b = simclr["linear"]["validation_map_macro"], rnd["linear"]["validation_map_macro"]
        if not a > b:
            sys.exit("experiment: sanity gate failed: the SimCLR probe (%.3f) does not beat "
                     "the random-init probe (%.3f) on validation; stopping" % (a, b))
        log("sanity gate passed: SimCLR %.3f > random-init %.3f (validation)" % (a, b))
    if args.stage == "tune":
        return
    if args.stage in ("all", "main"):
        study.main_runs(chosen)
    experiment_report.write_report(study, chosen, time.time() - start)


if __name__ == "__main__":
    main()
