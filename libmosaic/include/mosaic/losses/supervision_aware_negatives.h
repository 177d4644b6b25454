// Supervision-aware negatives: per-pair weights that remove or down-weight, in
// the softmax denominators of the intra-modal NT-Xent and the inter-modal
// InfoNCE terms, the negatives that share labels with a labelled anchor.
//
// Plain NT-Xent / InfoNCE treat every other sample of the batch as a negative.
// In multi-label remote-sensing data many of them are false negatives: two
// patches that both contain "Arable land" are pushed apart. With the batch
// labels Y, the `labelled` mask and a label-set similarity sim (see
// label_similarity.h), the weight of candidate k for anchor i (k != i) is
//   both i and k labelled:   kRemove      w_ik = 0 if sim(Y_i, Y_k) > 0, else 1
//                            kDownweight  w_ik = 1 - sim(Y_i, Y_k)
//   i or k unlabelled:       w_ik = 1 (nothing is known about the pair)
// and the weighted denominator is sum_k w_ik exp(s_ik) (NtXentLoss and
// CrossModalInfoNceLoss take the [N, N] matrix as `negative_weights`). The
// positive of an anchor always keeps weight 1. docs/method.md, section 5.5,
// has the equations.
//
// Thread-safety: all functions are pure and may be called concurrently.
#ifndef MOSAIC_LOSSES_SUPERVISION_AWARE_NEGATIVES_H_
#define MOSAIC_LOSSES_SUPERVISION_AWARE_NEGATIVES_H_

#include <torch/torch.h>

#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/losses/label_similarity.h"

namespace mosaic::losses {

enum class NegativeMode {
  kOff,         // "off" (default): plain NT-Xent / InfoNCE
  kRemove,      // "remove": negatives sharing a label are dropped
  kDownweight,  // "downweight": negatives weighted by 1 - sim
};

// The configuration name of `mode`: "off", "remove" or "downweight".
MOSAIC_EXPORT std::string NegativeModeName(NegativeMode mode);

// Parses a configuration name (exactly as NegativeModeName spells it).
// Throws c10::Error naming the valid spellings if `name` is not one of them.
MOSAIC_EXPORT NegativeMode ParseNegativeMode(const std::string& name);

// Every valid configuration name, in declaration order.
MOSAIC_EXPORT std::vector<std::string> NegativeModeNames();

// The [N, N] negative-weight matrix W of the formula above, in `dtype`
// (floating) on the labels' device, without gradient. labels: [N, C] multi-hot
// (read as in label_similarity.h; rows of unlabelled samples are never read
// into a value, so they may hold anything, NaN included). labelled: optional
// [N] bool on the labels' device (undefined = every sample labelled). The
// diagonal is 1 (the losses ignore it). Every entry is in [0, 1]; W is
// symmetric.
// mode == kOff returns an undefined tensor, which every loss taking
// `negative_weights` reads as "plain loss".
// Throws c10::Error on a shape, dtype or device violation.
MOSAIC_EXPORT torch::Tensor SupervisionAwareNegativeWeights(const torch::Tensor& labels,
                                                            const torch::Tensor& labelled,
                                                            LabelSimilarity similarity,
                                                            NegativeMode mode,
                                                            torch::Dtype dtype = torch::kFloat);

}  // namespace mosaic::losses

#endif  // MOSAIC_LOSSES_SUPERVISION_AWARE_NEGATIVES_H_
