// Intra-modal NT-Xent (SimCLR, Chen et al. 2020): contrast two augmented views
// of the same samples within one modality.
//
// With z = [view1; view2] (2N rows, L2-normalised when `normalize` is set) and
// s_ik = z_i . z_k / temperature, every row i is an anchor whose positive p(i)
// is the other view of the same sample (i +- N) and whose softmax runs over all
// k != i:
//   loss = -1/(2N) * sum_i log( exp(s_i,p(i)) / sum_{k != i} exp(s_ik) )
// Computed with a -inf diagonal and log-softmax, so it is finite for any
// temperature > 0 (tested down to 0.01) and for duplicate embeddings. With
// N == 1 there is a single candidate per anchor and the loss is exactly 0.
//
// The function is a pure function of the full embedding tensors: under data
// parallelism, all-gather view1/view2 across ranks (keeping the pairing) and
// call it on the gathered tensors.
//
// Thread-safety: pure; may be called concurrently.
#ifndef MOSAIC_LOSSES_NT_XENT_H_
#define MOSAIC_LOSSES_NT_XENT_H_

#include <torch/torch.h>

#include "mosaic/export.h"

namespace mosaic::losses {

struct NtXentOptions {
  // Softmax temperature tau_intra; must be > 0. See docs/method.md for the
  // choice of 0.1.
  TORCH_ARG(double, temperature) = 0.1;
  // L2-normalise the rows first (cosine similarity). The dual-stream model's
  // embeddings are already unit-length, so this changes neither the value nor
  // the gradient for them; it makes the loss safe for raw projections.
  TORCH_ARG(bool, normalize) = true;
};

// view1, view2: [N, D] floating point, same dtype and device, N >= 1, D >= 1;
// row i of view1 and row i of view2 are two views of sample i.
// negative_weights: optional [N, N] floating point on the views' device
// (supervision-aware negatives, see supervision_aware_negatives.h). Entry
// (a, b) weights both rows of sample b (its two views) in the softmax
// denominator of both anchor rows of sample a; over the 2N rows, with
// W_ik = w(i mod N, k mod N):
//   loss = -1/(2N) sum_i log( exp(s_i,p(i)) / sum_{k != i} W_ik exp(s_ik) )
// The positive always has weight 1: the diagonal w(a, a), which is what the
// positive and the excluded self-similarity would read, is ignored. Added to
// the logits as log w; entries <= 0 remove the candidate (-inf logit, set by
// masked_fill, so no log(0) and no NaN gradient); every row keeps its
// positive, so the loss stays finite. Treated as a constant (no gradient
// flows into it) and converted to the views' dtype. REQUIRES: finite entries,
// meant to lie in [0, 1] (not checked, to avoid a device sync). Undefined: the
// plain loss, bit for bit.
// Returns a 0-dim tensor (dtype of the inputs) that backpropagates into both.
// Throws c10::Error on a shape, dtype, device or temperature violation.
MOSAIC_EXPORT torch::Tensor NtXentLoss(const torch::Tensor& view1, const torch::Tensor& view2,
                                       const NtXentOptions& options = {},
                                       const torch::Tensor& negative_weights = {});

}  // namespace mosaic::losses

#endif  // MOSAIC_LOSSES_NT_XENT_H_
