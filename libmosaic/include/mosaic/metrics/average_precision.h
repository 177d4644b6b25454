// Average precision (AP) and mean average precision (mAP) of multi-label
// scores. Torch-free.
//
// AP follows scikit-learn's average_precision_score exactly: with the samples
// ranked by decreasing score and every distinct score value used as a
// threshold t (a sample is predicted positive when score >= t),
//
//   AP = sum_k (R_k - R_{k-1}) * P_k,   R_0 = 0,
//
// where P_k and R_k are the precision and recall at the k-th highest distinct
// threshold. Samples with equal scores enter together (ties are grouped, so
// the order of tied samples never matters). This is the step-wise area under
// the precision-recall curve: not the 11-point or "interpolated" AP of
// PASCAL VOC, and not ROC-AUC.
//
// Inputs everywhere are row-major [N, C] arrays (N samples, C classes):
//   scores   any finite real values (probabilities, logits: only the ranking
//            matters); NaN or +-Inf is InvalidArgument naming the element.
//   targets  multi-hot, every value exactly 0 or 1; anything else is
//            InvalidArgument naming the element.
#ifndef MOSAIC_METRICS_AVERAGE_PRECISION_H_
#define MOSAIC_METRICS_AVERAGE_PRECISION_H_

#include <cstdint>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::metrics {

struct AveragePrecisionResult {
  // [C] AP of each class; NaN (undefined) for a class without any positive
  // target, whose AP is then left out of `macro`.
  std::vector<double> per_class;
  // [C] number of positive targets of each class.
  std::vector<int64_t> support;
  // Mean of per_class over the classes with at least one positive; NaN when
  // no class has one. (scikit-learn's average="macro" would instead count
  // such classes as 0 with a warning.)
  double macro = 0.0;
  // AP of the flattened [N * C] scores and targets (scikit-learn's
  // average="micro"); NaN when there is no positive at all.
  double micro = 0.0;
  // Classes with no positive target (their per_class entry is NaN).
  int num_classes_without_positives = 0;
};

// AP of one binary problem made of every element of `scores` / `targets`
// (both of the same shape; a [N, 1] column for a single class, any [N, C] for
// the micro average). Returns NaN, not an error, when `targets` has no
// positive: AP is undefined there.
//
// Errors (InvalidArgument): shapes differ, no element, a buffer of the wrong
// size, a non-finite score, a target that is not 0 or 1.
MOSAIC_EXPORT StatusOr<double> BinaryAveragePrecision(const MatrixView& scores,
                                                      const MatrixView& targets);

// Per-class AP, macro mAP and micro mAP of [N, C] scores and targets.
//
// Errors (InvalidArgument): as BinaryAveragePrecision, plus N == 0 or C == 0.
// Complexity: O(N C log(N C)) time, O(N C) extra memory.
MOSAIC_EXPORT StatusOr<AveragePrecisionResult> ComputeAveragePrecision(const MatrixView& scores,
                                                                       const MatrixView& targets);

}  // namespace mosaic::metrics

#endif  // MOSAIC_METRICS_AVERAGE_PRECISION_H_
