// Private pieces of probing (probe.cpp): the model's multi-label heads as a
// unit, encoder features extracted once, heads trained on those features (the
// linear probe without re-running frozen encoders every step), and the
// validation score that selects learning rate and weight decay. Not installed.
#ifndef MOSAIC_SRC_TRAIN_PROBE_HEADS_H_
#define MOSAIC_SRC_TRAIN_PROBE_HEADS_H_

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "mosaic/data/patch_dataset.h"
#include "mosaic/manifest.h"
#include "mosaic/nn/dual_stream.h"
#include "mosaic/status.h"
#include "mosaic/train/train_options.h"

namespace mosaic::train::internal {

// The heads of a DualStreamModel (shared with it: training them trains the
// model). A head whose modality the model lacks is null.
struct ProbeHeads {
  torch::nn::Linear s1{nullptr}, s2{nullptr}, fused{nullptr};

  std::vector<torch::Tensor> parameters() const;
  // Draws fresh weights as torch::nn::Linear does (Kaiming-uniform weights,
  // uniform biases in +-1/sqrt(fan_in)) from a generator seeded by `seed`, so
  // every preset, grid point and repeat starts from the same heads.
  void Reinitialize(uint64_t seed);
};

ProbeHeads HeadsOf(nn::DualStreamModel& model);

// Pooled encoder features (eval mode, no augmentation) of some samples, and
// their labels, on one device.
struct PooledFeatures {
  torch::Tensor s1;      // [N, F1] or undefined
  torch::Tensor s2;      // [N, F2] or undefined
  torch::Tensor labels;  // [N, C] float multi-hot
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// Runs the encoders of `model` (put in eval mode) over dataset `indices`,
// normalised with the manifest's statistics. Errors: the loader's.
StatusOr<PooledFeatures> ExtractPooledFeatures(nn::DualStreamModel& model,
                                               std::shared_ptr<const data::PatchDataset> dataset,
                                               const std::vector<size_t>& indices,
                                               const ModelManifest& manifest,
                                               const OptimizationOptions& options,
                                               torch::Device device);

// The "supervised" objective on the heads: the mean over the present heads
// (fused, s1, s2) of the multi-label BCE. `rows` selects samples (undefined = all).
torch::Tensor HeadsLoss(const ProbeHeads& heads, const PooledFeatures& features,
                        const torch::Tensor& rows = {});

// Trains the heads on `features` with the optimiser, schedule, batch size,
// length, seed, cancellation and progress of `options`: the same batches in
// the same order (PlanEpoch over the rows), the same loss and the same updates
// as the linear probe through the full model, without re-running the frozen
// encoders. Returns Cancelled when options.cancel is set.
StatusOr<TrainSummary> TrainHeadsOnFeatures(ProbeHeads& heads, const PooledFeatures& features,
                                            const OptimizationOptions& options);

// Macro mAP of the heads' scores on `features` against its labels: the fused
// head when the model has both modalities, else the single one. NaN if no
// class has a positive.
StatusOr<double> HeadsMacroMap(const ProbeHeads& heads, const PooledFeatures& features);

}  // namespace mosaic::train::internal

#endif  // MOSAIC_SRC_TRAIN_PROBE_HEADS_H_
