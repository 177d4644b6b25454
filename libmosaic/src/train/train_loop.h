// The optimisation loop shared by pre-training (trainer.cpp) and probing
// (probe.cpp): loader -> forward of one or two views (under CUDA autocast
// with --amp bf16/fp16) -> ComputeObjective in fp32 -> backward (of the
// scaled loss with fp16, loss_scaler.h) -> unscale -> clip -> step (skipped
// on overflowed fp16 gradients) -> schedule, with checkpoints, logs, progress
// and cancellation. Internal to libmosaic.
#ifndef MOSAIC_SRC_TRAIN_TRAIN_LOOP_H_
#define MOSAIC_SRC_TRAIN_TRAIN_LOOP_H_

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "mosaic/data/loader.h"
#include "mosaic/data/patch_dataset.h"
#include "mosaic/losses/objective.h"
#include "mosaic/nn/dual_stream.h"
#include "mosaic/status.h"
#include "mosaic/train/train_options.h"

namespace mosaic::train::internal {

// Parameters optimised together at lr = schedule lr * lr_scale.
struct ParamGroup {
  std::vector<torch::Tensor> params;
  double lr_scale = 1.0;
};

struct LoopSetup {
  std::shared_ptr<const data::PatchDataset> dataset;
  // Everything but batch_size, seed, num_workers, augment (taken from the
  // OptimizationOptions).
  data::LoaderOptions loader;
  nn::DualStreamModel model{nullptr};
  losses::ObjectiveOptions objective;
  std::vector<ParamGroup> groups;
  // true: the model runs in eval mode (frozen encoders keep their BN statistics).
  bool eval_mode = false;
  // Stored in the checkpoint; resuming a checkpoint of another kind fails.
  std::string kind = "train";
};

// Validates the device/amp/optimizer/length options (InvalidArgument naming the
// option), then runs. Returns Cancelled if options.cancel was set.
StatusOr<TrainSummary> RunLoop(LoopSetup& setup, const OptimizationOptions& options);

// One optimiser (options.optimizer: "adamw" or "sgd") over `groups`, each at
// options.learning_rate * lr_scale, with the options' weight decay/momentum.
std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const std::vector<ParamGroup>& groups,
                                                       const OptimizationOptions& options);

// Sets every group's learning rate to lr * its lr_scale.
void SetLearningRate(torch::optim::Optimizer& optimizer, const std::string& kind,
                     const std::vector<ParamGroup>& groups, double lr);

// Whether the objective needs the second views / the heads' logits.
bool NeedsSecondViews(const losses::ObjectiveOptions& objective);

// Validates the options that do not need a dataset (optimizer, amp, device,
// sizes). InvalidArgument/Unsupported naming the option.
Status ValidateOptimization(const OptimizationOptions& options);

}  // namespace mosaic::train::internal

#endif  // MOSAIC_SRC_TRAIN_TRAIN_LOOP_H_
