// One training batch as the loader delivers it: collated, normalised,
// augmented tensors ready for DualStreamModel::forward and ComputeObjective.
//
// Tensors are CPU, contiguous, NCHW float32 for images. B is the number of
// samples in the batch (batch_size, or fewer for the last batch of an epoch
// when drop_last is false); C1 / C2 are the dataset's S1 / S2 band counts and
// S the patch side in pixels.
//
// Feeding the objective:
//   out1 = model->forward(batch.s1, batch.s2);
//   out2 = model->forward(batch.s1_view2, batch.s2_view2);
//   inputs.s1.view1 = out1.s1_embedding; inputs.s1.view2 = out2.s1_embedding;
//   inputs.s2.view1 = out1.s2_embedding; inputs.s2.view2 = out2.s2_embedding;
//   inputs.labels = batch.labels; inputs.labelled = batch.labelled;
//
// Thread-safety: a Batch is a plain value; torch tensors share storage on copy.
#ifndef MOSAIC_DATA_BATCH_H_
#define MOSAIC_DATA_BATCH_H_

#include <torch/torch.h>

#include <cstdint>

#include "mosaic/export.h"

namespace mosaic::data {

struct MOSAIC_EXPORT Batch {
  // View 1 of each modality, [B, C1, S, S] and [B, C2, S, S]; undefined when
  // the dataset has no bands of that modality.
  torch::Tensor s1;
  torch::Tensor s2;
  // View 2 (an independently augmented copy of the same locations); undefined
  // unless the loader was asked for two views (and the modality is present).
  torch::Tensor s1_view2;
  torch::Tensor s2_view2;
  // [B, num_classes] float32 multi-hot labels (0 or 1).
  torch::Tensor labels;
  // [B] bool: whether the sample's labels may be used (the label-fraction
  // mask); rows with false still carry the dataset's labels but must not be
  // used as supervision.
  torch::Tensor labelled;
  // [B] int64 dataset indices of the samples (PatchDataset::record(index).id
  // names them).
  torch::Tensor indices;
  // [B] int64 per-sample count of nodata/NaN/Inf source values the reader
  // replaced (PatchSample::invalid_values).
  torch::Tensor invalid_values;

  int64_t epoch = 0;        // the epoch this batch belongs to
  int64_t batch_index = 0;  // position in the epoch, 0-based

  // Number of samples B (0 for a default-constructed Batch).
  int64_t size() const { return indices.defined() ? indices.size(0) : 0; }

  // A copy with every defined tensor moved to `device` (non_blocking as in
  // torch::Tensor::to; only useful from pinned memory).
  Batch To(const torch::Device& device, bool non_blocking = false) const;
};

}  // namespace mosaic::data

#endif  // MOSAIC_DATA_BATCH_H_
