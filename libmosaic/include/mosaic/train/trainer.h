// MoSAiC pre-training: a DualStreamModel trained with an objective preset
// (losses/objective.h) on the training split of any PatchDataset.
//
// Each step: a loader batch (one or two augmented views, data/loader.h) ->
// model forward on each view -> ComputeObjective -> backward -> gradient
// clipping -> optimiser step, at the learning rate LearningRateAt(step).
//
// Determinism: on CPU a run is a pure function of (dataset, options): the
// model is initialised from options.seed, the loader's batches depend only on
// (seed, epoch, index), torch's RNG is re-seeded from (seed, step) before every
// step, and the number of loader workers does not matter. A run stopped at a
// checkpoint and resumed gives bit-identical weights to an uninterrupted one.
//
// Usage:
//   auto trainer = Trainer::Create(dataset, options);
//   StatusOr<TrainSummary> summary = (*trainer)->Run();
//   SaveModelBundle(path, (*trainer)->manifest(), (*trainer)->model());
//
// Thread-safety: a Trainer is used from one thread; options.cancel may be set
// from any thread (e.g. a signal handler).
#ifndef MOSAIC_TRAIN_TRAINER_H_
#define MOSAIC_TRAIN_TRAINER_H_

#include <memory>

#include "mosaic/data/augment.h"
#include "mosaic/data/patch_dataset.h"
#include "mosaic/losses/objective.h"
#include "mosaic/manifest.h"
#include "mosaic/nn/dual_stream.h"
#include "mosaic/status.h"
#include "mosaic/train/train_options.h"

namespace mosaic::train {

// The preset's ObjectiveOptions with the overrides applied. InvalidArgument
// naming the preset (and listing the valid ones) or the overridden field.
MOSAIC_EXPORT StatusOr<losses::ObjectiveOptions> ResolveObjective(
    const std::string& preset, const ObjectiveOverrides& overrides);

class MOSAIC_EXPORT Trainer {
 public:
  // Validates the options (preset, optimiser, device, amp, sizes, split not
  // empty, the objective's modalities present in the dataset), selects the
  // labelled subset, computes the normalisation if not given, and builds the
  // model from options.optimization.seed. Errors name the option at fault.
  static StatusOr<std::unique_ptr<Trainer>> Create(
      std::shared_ptr<const data::PatchDataset> dataset, TrainOptions options,
      data::AugmentOptions augmentation = {});

  // Trains (resuming from the checkpoint if options say so). OK also when
  // stopped by stop_at_step (summary.finished is false then); Cancelled if the
  // cancel flag was raised; the model is then left as it was at that step.
  // Afterwards the model is on CPU in eval mode and manifest().training_json
  // describes the run. Call once.
  StatusOr<TrainSummary> Run();

  // The model (its architecture is manifest()'s).
  nn::DualStreamModel model() const { return model_; }
  const ModelManifest& manifest() const { return manifest_; }
  const losses::ObjectiveOptions& objective() const { return objective_; }

 private:
  Trainer() = default;
  std::shared_ptr<const data::PatchDataset> dataset_;
  TrainOptions options_;
  data::AugmentOptions augmentation_;
  losses::ObjectiveOptions objective_;
  std::vector<size_t> indices_;
  std::vector<bool> labelled_;
  ModelManifest manifest_;
  nn::DualStreamModel model_{nullptr};
};

}  // namespace mosaic::train

#endif  // MOSAIC_TRAIN_TRAINER_H_
