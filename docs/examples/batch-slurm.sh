#!/bin/bash
# Label every scene of a manifest with a Slurm job array: one shard per array
# task, then one merge job once every task has ended.
#
#   sbatch docs/examples/batch-slurm.sh            # submits the array
#   (the merge job is submitted by task 0 with --dependency=afterany)
#
# Edit the paths and the array size; the array must be contiguous from 0
# (or set SLURM_ARRAY_TASK_MIN accordingly: mosaic subtracts it).
#SBATCH --job-name=mosaic-batch
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=logs/mosaic-batch-%A_%a.out
set -euo pipefail

MOSAIC=${MOSAIC:-mosaic}
MANIFEST=${MANIFEST:-$HOME/scenes/manifest.csv}
MODEL=${MODEL:-$HOME/models/mosaic.mosaic}
OUT=${OUT:-$SCRATCH/mosaic-labels}

if [ "${SLURM_ARRAY_TASK_ID}" = "${SLURM_ARRAY_TASK_MIN:-0}" ]; then
  # One merge after all tasks, whatever their exit status (failed scenes are in the table).
  sbatch --dependency=afterany:${SLURM_ARRAY_JOB_ID} --job-name=mosaic-merge \
    --output=logs/mosaic-merge-%j.out --wrap "$MOSAIC batch-merge $OUT"
fi

# The shard comes from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT. A task
# that is requeued or resubmitted skips the scenes it already finished.
exec "$MOSAIC" batch "$MANIFEST" --out "$OUT" --model "$MODEL" \
  --threads "${SLURM_CPUS_PER_TASK:-4}" --gdal-cache 512
