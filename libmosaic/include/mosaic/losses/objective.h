// The MoSAiC training objective: a weighted sum of the contrastive terms and
// an optional supervised BCE term, with presets for the paper's baselines.
//
//   total = lambda_intra (L_intra,S1 + L_intra,S2) + lambda_inter L_inter
//         + lambda_sup L_sup + lambda_bce L_bce
//
// A term whose lambda is 0 is not computed and its inputs are not required; a
// term whose lambda is > 0 requires its inputs and ComputeObjective throws a
// c10::Error naming the missing field otherwise. docs/method.md has the
// equations, the defaults and the reasons for them.
//
// Everything here is a pure function of the batch tensors (no learnable state,
// fixed temperatures), which is why the losses are functions rather than
// torch::nn::Modules. Under data parallelism all-gather ObjectiveInputs across
// ranks (embeddings, labels, mask) before calling ComputeObjective.
//
// Thread-safety: pure; may be called concurrently.
#ifndef MOSAIC_LOSSES_OBJECTIVE_H_
#define MOSAIC_LOSSES_OBJECTIVE_H_

#include <torch/torch.h>

#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/losses/label_similarity.h"
#include "mosaic/losses/supervision_aware_negatives.h"

namespace mosaic::losses {

struct ObjectiveOptions {
  // --- Term weights (>= 0; at least one must be > 0). The defaults are the
  // "mosaic" preset: intra + inter + sup, no BCE.
  TORCH_ARG(double, lambda_intra) = 1.0;  // applied to L_intra,S1 + L_intra,S2
  TORCH_ARG(double, lambda_inter) = 1.0;
  TORCH_ARG(double, lambda_sup) = 1.0;
  TORCH_ARG(double, lambda_bce) = 0.0;

  // --- Temperatures (> 0).
  TORCH_ARG(double, temperature_intra) = 0.1;
  TORCH_ARG(double, temperature_inter) = 0.1;
  TORCH_ARG(double, temperature_sup) = 0.1;

  // --- Which pairs count as positives in L_sup, and how strongly.
  TORCH_ARG(LabelSimilarity, label_similarity) = LabelSimilarity::kJaccard;
  // true: L_sup runs over view1 and (where given) view2 of every present
  // modality; false: over view1 of every present modality only.
  TORCH_ARG(bool, sup_use_second_views) = true;
  // false: one joint pool, every pair of rows may be contrasted (within and
  // across modalities). true: an S1 anchor is contrasted only with S2 rows and
  // vice versa (needs both modalities).
  TORCH_ARG(bool, sup_cross_modal_only) = false;

  // --- Supervision-aware negatives in L_intra and L_inter: negatives that
  // share labels (by `label_similarity`) with a labelled anchor are removed
  // from (kRemove) or down-weighted in (kDownweight) the softmax denominator;
  // pairs involving an unlabelled sample keep weight 1. Needs `labels` when not
  // kOff and lambda_intra or lambda_inter is > 0. See
  // supervision_aware_negatives.h.
  TORCH_ARG(NegativeMode, supervision_aware_negatives) = NegativeMode::kOff;

  // --- L2-normalise embeddings inside every contrastive term (no-op for the
  // dual-stream model's unit-length embeddings).
  TORCH_ARG(bool, normalize_embeddings) = true;
};

// The preset names, in the order of docs/method.md:
//   "supervised"  lambda_bce = 1, others 0            (BCE only)
//   "simclr"      lambda_intra = 1, others 0          (intra-modal only)
//   "clip"        lambda_inter = 1, others 0          (inter-modal only)
//   "supcon"      lambda_sup = 1, others 0            (supervised contrastive only)
//   "mosaic"      lambda_intra = lambda_inter = lambda_sup = 1, lambda_bce = 0
// Every other field keeps its ObjectiveOptions default.
MOSAIC_EXPORT std::vector<std::string> ObjectivePresetNames();

// The options of preset `name`. Throws c10::Error listing the valid names if
// `name` is not one of ObjectivePresetNames().
MOSAIC_EXPORT ObjectiveOptions ObjectivePreset(const std::string& name);

// One modality's share of a batch. All defined tensors have the same N (the
// batch) and sit on the same device; embeddings of both modalities share D.
struct ModalityInputs {
  torch::Tensor view1;   // [N, D] projection of the first augmented view
  torch::Tensor view2;   // [N, D] projection of the second view, or undefined
  torch::Tensor logits;  // [N, C] this modality's head logits (any view), or undefined

  // True when any of the tensors is defined.
  bool present() const { return view1.defined() || view2.defined() || logits.defined(); }
};

struct ObjectiveInputs {
  ModalityInputs s1;           // Sentinel-1; leave all undefined if absent
  ModalityInputs s2;           // Sentinel-2; leave all undefined if absent
  torch::Tensor fused_logits;  // [N, C] fused-head logits, or undefined
  // [N, C] multi-hot labels (float; entries > 0.5 are present classes for
  // L_sup, used as BCE targets as given). Rows of unlabelled samples may hold
  // anything. Required when lambda_sup or lambda_bce is > 0.
  torch::Tensor labels;
  // [N] bool, true for labelled samples. Undefined means every sample is
  // labelled. Unlabelled samples enter L_intra and L_inter only.
  torch::Tensor labelled;
};

// Per-term results: every field is a 0-dim tensor. Terms are unweighted; a
// term that was not computed (lambda 0, or an absent modality's intra term) is
// a zero tensor without grad and is left out of `active_terms`.
struct MOSAIC_EXPORT ObjectiveResult {
  torch::Tensor total;  // the weighted sum; backpropagate this
  torch::Tensor intra_s1;
  torch::Tensor intra_s2;
  torch::Tensor inter;
  torch::Tensor sup;
  torch::Tensor bce;
  // Names of the computed terms, in the order above: a subset of
  // {"intra_s1", "intra_s2", "inter", "sup", "bce"}. Use Term(name) to log.
  std::vector<std::string> active_terms;

  // The field called `name` ("total" or one of the term names above).
  // Throws c10::Error for any other name.
  const torch::Tensor& Term(const std::string& name) const;
};

// Masked multi-label BCE-with-logits: the mean over labelled rows and all C
// classes of BCEWithLogits(logits, labels). logits: [N, C] floating; labels:
// [N, C], converted to the logits' dtype (soft targets allowed); labelled:
// optional [N] bool (undefined = all rows). With no labelled row the result is
// a zero scalar still connected to `logits`. Throws c10::Error on bad shapes.
MOSAIC_EXPORT torch::Tensor MultiLabelBceLoss(const torch::Tensor& logits,
                                              const torch::Tensor& labels,
                                              const torch::Tensor& labelled = {});

// Computes every term with lambda > 0 and the weighted total.
//   L_intra,m  NtXentLoss(m.view1, m.view2) for each present modality m that
//              has embeddings; a modality with view1 but no view2 is an error.
//   L_inter    CrossModalInfoNceLoss(s1.view1, s2.view1); needs both.
//   Both take as negative_weights SupervisionAwareNegativeWeights(labels,
//   labelled, label_similarity, supervision_aware_negatives) (none when kOff).
//   L_sup      MultiLabelSupConLoss over the labelled samples' rows of
//              [s1.view1; s1.view2; s2.view1; s2.view2] (those defined and
//              selected by sup_use_second_views), each row with its sample's labels.
//   L_bce      mean of MultiLabelBceLoss over the defined heads among
//              fused_logits, s1.logits, s2.logits.
// Throws c10::Error if the options are invalid (negative lambda, all lambdas
// 0, temperature <= 0), a needed input is missing (e.g. labels for
// supervision_aware_negatives), or shapes disagree; the message names the
// field at fault.
MOSAIC_EXPORT ObjectiveResult ComputeObjective(const ObjectiveInputs& inputs,
                                               const ObjectiveOptions& options = {});

}  // namespace mosaic::losses

#endif  // MOSAIC_LOSSES_OBJECTIVE_H_
