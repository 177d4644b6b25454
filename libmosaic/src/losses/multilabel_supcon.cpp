#include "mosaic/losses/multilabel_supcon.h"

#include <limits>

#include "losses/loss_utils.h"

namespace mosaic::losses {

torch::Tensor WeightedSupConLoss(const torch::Tensor& embeddings, const torch::Tensor& pair_weights,
                                 const MultiLabelSupConOptions& options,
                                 const torch::Tensor& candidates) {
  internal::CheckMatrix(embeddings, "WeightedSupConLoss: embeddings", "[M, D]");
  const int64_t m = embeddings.size(0);
  internal::CheckMatrix(pair_weights, "WeightedSupConLoss: pair_weights", "[M, M]");
  TORCH_CHECK(pair_weights.size(0) == m && pair_weights.size(1) == m,
              "WeightedSupConLoss: pair_weights must be [", m, ", ", m, "], got ",
              pair_weights.sizes());
  TORCH_CHECK(pair_weights.device() == embeddings.device(),
              "WeightedSupConLoss: pair_weights must be on the embeddings' device");
  if (candidates.defined()) {
    TORCH_CHECK(candidates.dim() == 2 && candidates.size(0) == m && candidates.size(1) == m &&
                    candidates.scalar_type() == torch::kBool,
                "WeightedSupConLoss: candidates must be a [", m, ", ", m,
                "] bool tensor, got shape ", candidates.sizes(), " and dtype ",
                candidates.scalar_type());
  }
  internal::CheckTemperature(options.temperature(), "WeightedSupConLoss");
  if (m < 2) return internal::ConnectedZero(embeddings);  // no pair at all

  const torch::Tensor z = internal::MaybeNormalize(embeddings, options.normalize());
  // allowed(i, j): j may enter anchor i's softmax (never j == i).
  torch::Tensor allowed = ~torch::eye(m, z.options().dtype(torch::kBool));
  if (candidates.defined()) allowed = allowed & candidates;
  const torch::Tensor blocked = ~allowed;
  // An anchor with no allowed j would get an all -inf row, whose log-softmax is
  // NaN in value and gradient. Give such rows a constant 0 row instead; they
  // have no positive below, so they are skipped.
  const torch::Tensor no_candidate = blocked.all(1, /*keepdim=*/true);
  const torch::Tensor logits = (z.matmul(z.t()) / options.temperature())
                                   .masked_fill(blocked, -std::numeric_limits<double>::infinity())
                                   .masked_fill(no_candidate, 0.0);
  // Replace the -inf log-probabilities of blocked pairs by 0 *before* they meet
  // a weight: 0 * (-inf) would be NaN. masked_fill's backward sends zero
  // gradient to the replaced entries, so the gradients stay finite as well.
  const torch::Tensor log_prob = torch::log_softmax(logits, 1).masked_fill(blocked, 0.0);
  const torch::Tensor weights = pair_weights.to(log_prob.scalar_type()).masked_fill(blocked, 0.0);

  const torch::Tensor positive_mass = weights.sum(1);  // sum_{j != i} w_ij
  const torch::Tensor is_anchor = positive_mass > 0;
  const torch::Tensor per_anchor =
      -(weights * log_prob).sum(1) / positive_mass.masked_fill(~is_anchor, 1.0);  // 0 for skipped
  const torch::Tensor anchor_count = is_anchor.sum().clamp_min(1).to(per_anchor.scalar_type());
  // Skipped rows contribute an exact 0 (0 weights times finite log-probs), so
  // the sum runs over real anchors only; with none it is a connected 0.
  return per_anchor.masked_fill(~is_anchor, 0.0).sum() / anchor_count;
}

torch::Tensor MultiLabelSupConLoss(const torch::Tensor& embeddings, const torch::Tensor& labels,
                                   const MultiLabelSupConOptions& options,
                                   const torch::Tensor& labelled) {
  internal::CheckMatrix(embeddings, "MultiLabelSupConLoss: embeddings", "[M, D]");
  const int64_t m = embeddings.size(0);
  TORCH_CHECK(labels.defined() && labels.dim() == 2 && labels.size(0) == m,
              "MultiLabelSupConLoss: expected [", m, ", C] labels, got ",
              labels.defined() ? labels.sizes() : c10::IntArrayRef{});
  TORCH_CHECK(labels.device() == embeddings.device(),
              "MultiLabelSupConLoss: labels must be on the embeddings' device");
  internal::CheckRowMask(labelled, m, "MultiLabelSupConLoss: labelled");
  if (labelled.defined())
    TORCH_CHECK(labelled.device() == embeddings.device(),
                "MultiLabelSupConLoss: labelled must be on the "
                "embeddings' device");
  internal::CheckTemperature(options.temperature(), "MultiLabelSupConLoss");

  torch::Tensor z = embeddings;
  torch::Tensor y = labels;
  if (labelled.defined()) {
    // Unlabelled rows take no part at all: neither anchors nor candidates.
    z = embeddings.index({labelled});
    y = labels.index({labelled});
  }
  const torch::Tensor weights = LabelSimilarityMatrix(y, options.similarity(), z.scalar_type());
  return WeightedSupConLoss(z, weights, options);
}

}  // namespace mosaic::losses
