// Data-parallel training across processes (torch.distributed's C++ backend,
// c10d): the settings, read from the environment the usual launchers set.
// Torch-free, so front ends can parse and report them.
//
// Semantics (see docs/distributed-training.md): `batch_size` is the GLOBAL
// batch; rank r of W builds only its W-th of every batch (the same samples and
// augmentations a single process would put there), the contrastive and
// supervised losses are computed over the global batch (embeddings and labels
// are all-gathered, with gradients flowing back to each rank's own part),
// BatchNorm statistics span the global batch, and gradients are summed across
// ranks. A run with W processes therefore trains the same model as one
// process, up to floating-point summation order. Rank 0 alone writes logs,
// checkpoints and the bundle.
#ifndef MOSAIC_TRAIN_DISTRIBUTED_H_
#define MOSAIC_TRAIN_DISTRIBUTED_H_

#include <string>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::train {

struct DistributedOptions {
  int rank = 0;
  int world_size = 1;  // 1: not distributed
  int local_rank = 0;  // informational (device choice is --device's)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  int timeout_s = 300;  // rendezvous and collective timeout
  bool enabled() const { return world_size > 1; }
};

// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT as torchrun sets
// them; under Slurm (srun) without them, SLURM_PROCID / SLURM_NTASKS /
// SLURM_LOCALID with MASTER_ADDR / MASTER_PORT from the job script. Nothing
// set: world size 1. InvalidArgument naming the variable for values that do
// not parse or are out of range.
MOSAIC_EXPORT StatusOr<DistributedOptions> DistributedOptionsFromEnvironment();

// Whether this build has the Gloo process group (Debian: libgloo-dev at build time).
MOSAIC_EXPORT bool DistributedTrainingAvailable();

}  // namespace mosaic::train

#endif  // MOSAIC_TRAIN_DISTRIBUTED_H_
