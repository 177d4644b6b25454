#!/usr/bin/env bash
# Every benchmark of issue 10 in one command: the C++ scene engine against a
# hand-written PyTorch + GDAL reference on the same scene (time ratio, max abs
# difference), end to end against the model alone and against a pure GDAL read,
# the scaling table (bench/scene_scaling.sh), and the C++ trainer against a
# Python training loop. Writes docs/benchmarks/report.md, results.json and PNG
# plots. Builds nothing: expects BUILD_DIR (default build/) with the CLI and the
# bench targets (mosaic, mosaic_bench_scene, mosaic_scene_rss_probe,
# mosaic_bench_train, mosaic_bench_loader).
#
#   bench/run-all.sh [--quick] [--build BUILD_DIR] [--out DIR] [--work DIR] [--runs N]
#                    [--report-only | --full-tile]
#
#   --quick       one scene size (1024²), 2 runs each, one training run (~1.5 min on 2 cores)
#   default       1024² and 2048², 5 runs each, scaling 1024/2048/4096, 3 training runs
#                 (~6 min on 2 loaded cores)
#   --full-tile   only a full 10980² Sentinel-2 tile (~10 GB of disk; generating it takes
#                 minutes), added to the existing results.json and report as its own run
#   --report-only rewrite the report and plots from results.json
#
# Needs Debian's /usr/bin/python3 with python3-torch, python3-gdal, python3-numpy,
# python3-pil (set MOSAIC_PYTHON to use another interpreter with those modules).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${MOSAIC_PYTHON:-/usr/bin/python3}
if ! "$python" -c 'import torch, numpy, PIL; from osgeo import gdal' 2>/dev/null; then
  echo "error: $python lacks torch, numpy, PIL or osgeo.gdal (apt install python3-torch python3-gdal python3-pil)" >&2
  exit 1
fi
cd "$root"
exec "$python" bench/python/run_all.py "$@"
