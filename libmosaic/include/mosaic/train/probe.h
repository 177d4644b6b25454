// Linear probing and fine-tuning of a pre-trained model: the multi-label
// heads (fused_head, s1_head, s2_head) are trained with BCE on the labelled
// subset of the training split, so that fused and single-modality inference
// both work afterwards. The loss is the mean of the three heads' BCE (the
// "supervised" objective preset).
//
// Linear probe (default): encoders and projections are frozen: no gradient, the
// whole model in eval mode (batch-norm statistics stay as they are), so their
// parameters and buffers are bit-identical afterwards. Fine-tuning
// (ProbeOptions::finetune): the encoders train too, at encoder_lr_scale times
// the learning rate, in train mode.
//
// Heads are re-initialised from the seed first (ProbeOptions::
// reinitialize_heads), so every pre-trained model enters the probe alike.
// With a learning-rate / weight-decay grid, each point trains from the same
// start and the one with the best macro mAP on the validation split is kept
// (TrainSummary::trials). The linear probe without augmentation, checkpoints,
// logs or data parallelism trains the heads on encoder features computed once
// (the same batches, loss and updates as through the model, much faster).
//
// Fine-tuning with fewer labelled samples than --batch-size uses them all as
// one batch (at least 2 are needed: batch norm in train mode).
//
// Only the samples of the label fraction are visited (LabelledMask with the
// seed), with no augmentation unless optimization.augment is set (then flips
// and quarter turns only). Determinism, checkpoints, logs and cancellation
// are as for Trainer (trainer.h).
//
// Thread-safety: as Trainer.
#ifndef MOSAIC_TRAIN_PROBE_H_
#define MOSAIC_TRAIN_PROBE_H_

#include <memory>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/manifest.h"
#include "mosaic/nn/dual_stream.h"
#include "mosaic/status.h"
#include "mosaic/train/train_options.h"

namespace mosaic::train {

class MOSAIC_EXPORT Prober {
 public:
  // `model` must have `manifest`'s architecture (e.g. from LoadModelBundle);
  // it is trained in place. The dataset must deliver exactly the manifest's
  // bands of each modality the model has, and its classes must be the
  // manifest's (InvalidArgument naming the mismatch otherwise).
  static StatusOr<std::unique_ptr<Prober>> Create(std::shared_ptr<const data::PatchDataset> dataset,
                                                  ModelManifest manifest, nn::DualStreamModel model,
                                                  ProbeOptions options);

  // Trains the heads (and encoders when fine-tuning). Afterwards the model is
  // on CPU in eval mode and manifest().training_json holds the pre-training
  // record with a "probe" object added. Call once.
  StatusOr<TrainSummary> Run();

  nn::DualStreamModel model() const { return model_; }
  const ModelManifest& manifest() const { return manifest_; }

 private:
  Prober() = default;
  // The batch size used: fine-tuning with fewer labelled samples than one
  // batch trains on all of them at once (its batches are full-size only).
  int64_t EffectiveBatchSize() const;
  // One training run of the heads (and encoders) through the full model.
  StatusOr<TrainSummary> TrainThroughModel(const OptimizationOptions& options);
  // Adds the "probe" record to manifest_.training_json.
  void RecordProbe(const TrainSummary& summary);

  std::shared_ptr<const data::PatchDataset> dataset_;
  ModelManifest manifest_;
  nn::DualStreamModel model_{nullptr};
  ProbeOptions options_;
  std::vector<size_t> labelled_indices_;
  std::vector<size_t> validation_indices_;
};

}  // namespace mosaic::train

#endif  // MOSAIC_TRAIN_PROBE_H_
