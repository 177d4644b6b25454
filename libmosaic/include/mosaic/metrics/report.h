// The evaluation report of a multi-label classifier (per class and overall:
// AP, mAP, F1 at a fixed threshold and at thresholds tuned on a validation
// set) and its JSON and Markdown renderings, plus the renderings of a
// ClusterCoherence. Torch-free; the JSON library stays out of this header.
//
// Undefined values are NaN in the structs, `null` in JSON and "n/a" in
// Markdown: the AP of a class without a positive test target, the mAPs when
// there is none at all, and every tuned value when no validation set is given.
#ifndef MOSAIC_METRICS_REPORT_H_
#define MOSAIC_METRICS_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/metrics/clustering.h"
#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::metrics {

struct ClassReport {
  std::string name;
  int64_t support = 0;             // positive test targets
  double average_precision = 0.0;  // NaN when support == 0
  double precision_at_default = 0.0;
  double recall_at_default = 0.0;
  double f1_at_default = 0.0;        // at ClassificationReport::default_threshold
  double tuned_threshold = 0.0;      // from the validation set; NaN without one
  bool threshold_fell_back = false;  // no validation positive: tuned = fallback
  double precision_at_tuned = 0.0;   // test precision at tuned_threshold
  double recall_at_tuned = 0.0;
  double f1_at_tuned = 0.0;
};

struct ClassificationReport {
  std::vector<ClassReport> classes;    // in class-index order
  int64_t num_samples = 0;             // test samples
  int64_t num_validation_samples = 0;  // 0: thresholds were not tuned
  double default_threshold = 0.5;
  double zero_division = 0.0;  // the F1Options::zero_division used
  // Means over classes with a positive (macro) and over all [N * C] decisions
  // (micro); see average_precision.h.
  double map_macro = 0.0;
  double map_micro = 0.0;
  int num_classes_without_positives = 0;
  // F1 at default_threshold and at the tuned thresholds; see f1.h.
  double f1_macro_at_default = 0.0;
  double f1_micro_at_default = 0.0;
  double f1_macro_at_tuned = 0.0;
  double f1_micro_at_tuned = 0.0;
};

struct ReportOptions {
  // The fixed threshold of the "at default" columns.
  double default_threshold = 0.5;
  // See F1Options.
  double zero_division = 0.0;
  // See ThresholdTuningOptions.
  double fallback_threshold = 0.5;
};

// Evaluates test scores and targets ([N, C]) with class names [C]. When
// `validation_scores` and `validation_targets` ([M, C]) are given (non-empty
// views), the per-class thresholds are tuned on them (TuneThresholds) and
// applied to the test set; when both are empty the tuned fields are NaN.
//
// Errors (InvalidArgument): those of ComputeAveragePrecision, ComputeF1 and
// TuneThresholds (messages prefixed "test" or "validation"), class_names not
// of size C, only one of the validation views given, or a validation set
// with another number of classes.
MOSAIC_EXPORT StatusOr<ClassificationReport> BuildClassificationReport(
    const std::vector<std::string>& class_names, const MatrixView& test_scores,
    const MatrixView& test_targets, const MatrixView& validation_scores = MatrixView(),
    const MatrixView& validation_targets = MatrixView(), const ReportOptions& options = {});

// The report as a JSON object (2-space indentation):
//   {"num_samples": N, "num_validation_samples": M, "default_threshold": t,
//    "zero_division": z, "map_macro": .., "map_micro": ..,
//    "num_classes_without_positives": .., "f1_macro_at_default": .., ...,
//    "classes": [{"name": .., "support": .., "average_precision": .., ...}]}
// with the struct's field names as keys and null for NaN.
MOSAIC_EXPORT std::string ToJson(const ClassificationReport& report);

// The report as Markdown: a summary list, then one table row per class
// (Class | Support | AP | P@t | R@t | F1@t | Tuned threshold | F1@tuned).
// Values are printed with 4 decimals; '|' in class names is escaped.
MOSAIC_EXPORT std::string ToMarkdown(const ClassificationReport& report);

// A ClusterCoherence as a JSON object keyed by its field names, and as a
// Markdown table (Metric | Value).
MOSAIC_EXPORT std::string ToJson(const ClusterCoherence& coherence);
MOSAIC_EXPORT std::string ToMarkdown(const ClusterCoherence& coherence);

}  // namespace mosaic::metrics

#endif  // MOSAIC_METRICS_REPORT_H_
