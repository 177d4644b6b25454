// Multi-label supervised contrastive loss: SupCon (Khosla et al. 2020, the
// "L_out" form) with positives weighted by label-set similarity.
//
// For M embeddings z_i (L2-normalised when `normalize` is set), pair weights
// w_ij >= 0 and s_ij = z_i . z_j / temperature, over j != i only:
//   log p_ij = s_ij - log sum_{k != i} exp(s_ik)
//   loss_i   = - sum_{j != i} w_ij log p_ij / sum_{j != i} w_ij
//   loss     = mean of loss_i over the anchors with sum_{j != i} w_ij > 0
// Anchors without a positive are skipped: they add nothing to the numerator or
// to the count (they still appear as negatives in other anchors' softmax).
// When no anchor has a positive (including M < 2) the result is a zero scalar
// that is still connected to the graph, so backward() works and yields zero
// gradients. Values and gradients are finite for any temperature > 0 (tested
// down to 0.01), duplicate embeddings and empty label sets: the diagonal is set
// to -inf before the softmax and its log-probability is replaced by 0 before it
// meets a weight, so 0 * (-inf) never occurs, forward or backward.
//
// Pure functions of the full tensors: under data parallelism all-gather the
// embeddings, labels and labelled mask across ranks and call them on the
// gathered tensors.
//
// Thread-safety: pure; may be called concurrently.
#ifndef MOSAIC_LOSSES_MULTILABEL_SUPCON_H_
#define MOSAIC_LOSSES_MULTILABEL_SUPCON_H_

#include <torch/torch.h>

#include "mosaic/export.h"
#include "mosaic/losses/label_similarity.h"

namespace mosaic::losses {

struct MultiLabelSupConOptions {
  // Softmax temperature tau_sup; must be > 0.
  TORCH_ARG(double, temperature) = 0.1;
  // How pair weights w_ij are derived from the two label sets.
  TORCH_ARG(LabelSimilarity, similarity) = LabelSimilarity::kJaccard;
  // L2-normalise the rows first (cosine similarity); a no-op for the model's
  // unit-length embeddings.
  TORCH_ARG(bool, normalize) = true;
};

// embeddings: [M, D] floating point, M >= 0. labels: [M, C] multi-hot (see
// label_similarity.h for how entries are read), same device. labelled:
// optional [M] bool mask; rows where it is false are dropped before anything
// else (they are neither anchors nor candidates), an undefined mask keeps all
// rows. Several rows may belong to the same sample (e.g. its views in both
// modalities): give each row its sample's labels, and the pairs between them
// are positives exactly when the label similarity says so (w = 1 for a
// non-empty set under every kind).
// Returns a 0-dim tensor in the embeddings' dtype.
// Throws c10::Error on a shape, dtype, device or temperature violation.
MOSAIC_EXPORT torch::Tensor MultiLabelSupConLoss(const torch::Tensor& embeddings,
                                                 const torch::Tensor& labels,
                                                 const MultiLabelSupConOptions& options = {},
                                                 const torch::Tensor& labelled = {});

// The same loss with explicit pair weights: pair_weights is [M, M], floating,
// same device; its diagonal is ignored. REQUIRES: pair_weights >= 0 (not
// checked, to avoid a device sync). candidates: optional [M, M] bool; a false
// entry (i, j) removes j from anchor i's softmax and from its positives (the
// diagonal is always removed; undefined = every j != i). An anchor left with
// no candidate is skipped like one without a positive. Only
// options.temperature() and options.normalize() are used.
// Throws c10::Error on a shape, dtype, device or temperature violation.
MOSAIC_EXPORT torch::Tensor WeightedSupConLoss(const torch::Tensor& embeddings,
                                               const torch::Tensor& pair_weights,
                                               const MultiLabelSupConOptions& options = {},
                                               const torch::Tensor& candidates = {});

}  // namespace mosaic::losses

#endif  // MOSAIC_LOSSES_MULTILABEL_SUPCON_H_
