// Precision, recall and F1 of thresholded multi-label scores, at one threshold
// for every class or at per-class thresholds tuned on a validation set.
// Torch-free.
//
// Conventions (the same in every function here):
//   * A sample is predicted positive for class c when score >= threshold_c.
//   * Per class: precision = TP / (TP + FP), recall = TP / (TP + FN),
//     F1 = 2 TP / (2 TP + FP + FN) (the harmonic mean of the two).
//   * Zero division (scikit-learn's zero_division): a ratio whose denominator
//     is 0 takes the value F1Options::zero_division, 0 by default (what
//     scikit-learn's default "warn" returns). So a class with no positive
//     target and no positive prediction has F1 = 0, while a class with
//     positives but no prediction has F1 = 0 and precision = zero_division.
//     zero_division may be NaN: such values are then left out of the macro
//     averages (as scikit-learn does for zero_division=np.nan).
//   * Macro averages are the unweighted means over all C classes (of the
//     non-NaN values); micro averages use TP, FP and FN summed over classes.
//
// Inputs are row-major [N, C] arrays as in average_precision.h: finite scores
// (NaN or +-Inf is InvalidArgument) and targets that are exactly 0 or 1.
#ifndef MOSAIC_METRICS_F1_H_
#define MOSAIC_METRICS_F1_H_

#include <cstdint>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::metrics {

struct F1Options {
  // Value of a precision, recall or F1 whose denominator is 0: 0, 1 or NaN.
  double zero_division = 0.0;
};

struct F1Result {
  // [C] thresholds the scores were compared with (score >= threshold).
  std::vector<double> thresholds;
  // [C] confusion counts per class.
  std::vector<int64_t> true_positives;
  std::vector<int64_t> false_positives;
  std::vector<int64_t> false_negatives;
  // [C] per-class values (see the zero-division convention above).
  std::vector<double> precision;
  std::vector<double> recall;
  std::vector<double> f1;
  // Unweighted means over classes of the per-class values (NaN values left
  // out; NaN if all are NaN).
  double macro_precision = 0.0;
  double macro_recall = 0.0;
  double macro_f1 = 0.0;
  // From the counts summed over classes.
  double micro_precision = 0.0;
  double micro_recall = 0.0;
  double micro_f1 = 0.0;
};

// F1 with one threshold for every class (0.5 for probabilities).
//
// Errors (InvalidArgument): shapes differ, N == 0 or C == 0, a buffer of the
// wrong size, a non-finite score, a target not 0 or 1, a NaN threshold, a
// zero_division other than 0, 1 or NaN.
MOSAIC_EXPORT StatusOr<F1Result> ComputeF1(const MatrixView& scores, const MatrixView& targets,
                                           double threshold = 0.5,
                                           const F1Options& options = F1Options());

// F1 with thresholds[c] for class c. thresholds may be +-Inf (+Inf predicts
// nothing, -Inf everything).
//
// Errors: as above, plus thresholds.size() != C.
MOSAIC_EXPORT StatusOr<F1Result> ComputeF1(const MatrixView& scores, const MatrixView& targets,
                                           const std::vector<double>& thresholds,
                                           const F1Options& options = F1Options());

struct ThresholdTuningOptions {
  // Threshold of a class that has no positive target in the validation set,
  // where F1 cannot be tuned (every threshold gives F1 = 0).
  double fallback_threshold = 0.5;
};

struct TunedThresholds {
  // [C] the tuned threshold of each class, to pass to ComputeF1.
  std::vector<double> thresholds;
  // [C] the F1 each threshold reaches on the validation set (0 for a class
  // that fell back).
  std::vector<double> validation_f1;
  // [C] true for a class without a validation positive (threshold = fallback).
  std::vector<bool> fell_back;
};

// Chooses for each class the threshold that maximises that class's F1 on the
// validation scores and targets.
//
// Every cut between distinct validation scores is a candidate: predicting
// positive the samples with score >= s_k for the k-th highest distinct score
// s_k. Of the cuts with the highest F1 the one predicting the fewest positives
// (the highest s_k) wins. The threshold returned is the midpoint between s_k
// and the next lower distinct score s_{k+1} (s_k itself when there is none,
// or when the midpoint rounds onto s_{k+1}), so that it reproduces the chosen
// cut on the validation set and sits in the middle of the gap for new data.
//
// Errors (InvalidArgument): as ComputeF1, plus a NaN fallback_threshold.
// Complexity: O(N C log N).
MOSAIC_EXPORT StatusOr<TunedThresholds> TuneThresholds(
    const MatrixView& validation_scores, const MatrixView& validation_targets,
    const ThresholdTuningOptions& options = ThresholdTuningOptions());

}  // namespace mosaic::metrics

#endif  // MOSAIC_METRICS_F1_H_
