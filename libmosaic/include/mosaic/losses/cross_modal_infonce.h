// Inter-modal symmetric InfoNCE (CLIP-style): align the S1 and S2 embeddings of
// the same location.
//
// With a_i, b_j the (L2-normalised when `normalize` is set) rows of the two
// modalities and logits L_ij = a_i . b_j / temperature, the positive of row i
// is the co-located row j == i and every other location in the batch is a
// negative:
//   loss = 1/2 [ CE(L, diag) + CE(L^T, diag) ]
// where CE(L, diag) = -1/N sum_i log softmax_j(L_ij) at j == i. Finite for any
// temperature > 0 and for duplicate embeddings; exactly 0 when N == 1.
//
// Pure function of the full tensors: under data parallelism all-gather both
// modalities (keeping the row pairing) and call it on the gathered tensors.
//
// Thread-safety: pure; may be called concurrently.
#ifndef MOSAIC_LOSSES_CROSS_MODAL_INFONCE_H_
#define MOSAIC_LOSSES_CROSS_MODAL_INFONCE_H_

#include <torch/torch.h>

#include "mosaic/export.h"

namespace mosaic::losses {

struct CrossModalInfoNceOptions {
  // Softmax temperature tau_inter; must be > 0.
  TORCH_ARG(double, temperature) = 0.1;
  // L2-normalise the rows first (cosine similarity); a no-op for the model's
  // unit-length embeddings.
  TORCH_ARG(bool, normalize) = true;
};

// s1, s2: [N, D] floating point, same dtype and device, N >= 1; row i of each
// is the same location.
// negative_weights: optional [N, N] floating point on the inputs' device
// (supervision-aware negatives, see supervision_aware_negatives.h). Entry
// (i, k) weights candidate k (of the other modality) in the softmax
// denominator of anchor i, in both directions:
//   CE_w(L) = -1/N sum_i log( exp(L_ii) / sum_k w_ik exp(L_ik) )
//   loss    = 1/2 [ CE_w(L) + CE_w(L^T) ]
// The diagonal (the co-located positive) is ignored and always has weight 1.
// Added to the logits as log w; entries <= 0 remove the candidate (-inf logit,
// set by masked_fill, so no log(0) and no NaN gradient); every row keeps its
// positive, so the loss stays finite. Treated as a constant (no gradient flows
// into it) and converted to the inputs' dtype. REQUIRES: finite entries, meant
// to lie in [0, 1] (not checked, to avoid a device sync). Undefined: the plain
// loss, bit for bit.
// Returns a 0-dim tensor that backpropagates into both.
// Throws c10::Error on a shape, dtype, device or temperature violation.
MOSAIC_EXPORT torch::Tensor CrossModalInfoNceLoss(const torch::Tensor& s1, const torch::Tensor& s2,
                                                  const CrossModalInfoNceOptions& options = {},
                                                  const torch::Tensor& negative_weights = {});

}  // namespace mosaic::losses

#endif  // MOSAIC_LOSSES_CROSS_MODAL_INFONCE_H_
