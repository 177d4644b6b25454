#!/usr/bin/env bash
# Rebuilds the bundled sample model, sample_data/mosaic-sample.mosaic, and its
# evaluation report, from nothing but this repository:
#   1. a synthetic 2400 x 2400 px scene (seed 2026) in the BigEarthNet v2.0 layout;
#   2. MoSAiC pre-training (preset mosaic) of a small dual-stream model on the
#      train split, with all of its labels;
#   3. a linear probe of its multi-label heads on the same labels;
#   4. evaluation on the test split (thresholds tuned on validation), next to
#      the label-frequency baseline.
# Usage: scripts/train-sample-model.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
mosaic=${1:-build}/cli/mosaic
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=bigearthnet-v2:$work/synthetic/bigearthnet-v2

"$mosaic" synth -o "$work/synthetic" --size 2400 --seed 2026 --layout v2
"$mosaic" train "$data" -o "$work/pretrained.mosaic" --preset mosaic --encoder small_cnn \
  --width 16 --epochs 30 --batch-size 32 --lr 0.002 --warmup-steps 20 --label-fraction 1.0 \
  --seed 2026 --log "$work/pretrain.csv"
"$mosaic" probe "$work/pretrained.mosaic" "$data" -o "$work/sample.mosaic" --epochs 40 \
  --label-fraction 1.0 --seed 2026
"$mosaic" eval "$work/sample.mosaic" "$data" --split test --val-split validation \
  --json "$work/eval.json" --markdown "$work/eval.md"

# The baseline a trained model must beat: every class scored by a constant,
# whose average precision equals the class's prevalence in the test split.
python3 - "$work/eval.json" > "$work/baseline.md" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))["classification"]
n = report["num_samples"]
rows = [c for c in report["classes"] if c["support"] > 0]
macro = sum(c["support"] / n for c in rows) / len(rows)
micro = sum(c["support"] for c in report["classes"]) / (n * len(report["classes"]))
print("## Label-frequency baseline\n")
print("A constant score per class (its frequency) ranks every test patch equally, so its")
print("average precision is the class's prevalence in the test split.\n")
print("| | mAP macro | mAP micro |\n|---|---:|---:|")
print(f"| label-frequency baseline | {macro:.4f} | {micro:.4f} |")
print(f"| sample model | {report['map_macro']:.4f} | {report['map_micro']:.4f} |")
PY

cp "$work/sample.mosaic" sample_data/mosaic-sample.mosaic
{
  echo "# Evaluation of the bundled sample model"
  echo
  echo "Made by \`scripts/train-sample-model.sh\`; test split of the synthetic dataset"
  echo "(seed 2026, 2400 x 2400 px scene, 400 patches of 120 x 120 px)."
  echo
  cat "$work/baseline.md"
  echo
  sed 's/^# /## /' "$work/eval.md"
} | sed "s|$work|<work>|g" > sample_data/mosaic-sample-eval.md
echo "wrote sample_data/mosaic-sample.mosaic and sample_data/mosaic-sample-eval.md"
