#include "mosaic/metrics/f1.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <utility>

#include "metrics/checks.h"

namespace mosaic::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numerator / denominator, or `zero_division` when the denominator is 0.
double Ratio(int64_t numerator, int64_t denominator, double zero_division) {
  return denominator > 0 ? static_cast<double>(numerator) / static_cast<double>(denominator)
                         : zero_division;
}

// Mean of the non-NaN values; NaN if there is none.
double MeanIgnoringNaN(const std::vector<double>& values) {
  double sum = 0.0;
  int count = 0;
  for (double value : values) {
    if (std::isnan(value)) continue;
    sum += value;
    ++count;
  }
  return count > 0 ? sum / count : kNaN;
}

Status CheckZeroDivision(double zero_division) {
  if (zero_division == 0.0 || zero_division == 1.0 || std::isnan(zero_division)) {
    return Status::OK();
  }
  std::ostringstream text;
  text << "zero_division: expected 0, 1 or NaN, got " << zero_division;
  return Status::InvalidArgument(text.str());
}

}  // namespace

StatusOr<F1Result> ComputeF1(const MatrixView& scores, const MatrixView& targets, double threshold,
                             const F1Options& options) {
  if (std::isnan(threshold)) return Status::InvalidArgument("threshold: NaN");
  if (scores.cols() == 0) return ComputeF1(scores, targets, std::vector<double>(), options);
  return ComputeF1(scores, targets, std::vector<double>(scores.cols(), threshold), options);
}

StatusOr<F1Result> ComputeF1(const MatrixView& scores, const MatrixView& targets,
                             const std::vector<double>& thresholds, const F1Options& options) {
  MOSAIC_RETURN_IF_ERROR(internal::CheckScoresAndTargets(scores, targets));
  MOSAIC_RETURN_IF_ERROR(CheckZeroDivision(options.zero_division));
  const size_t num_samples = scores.rows();
  const size_t num_classes = scores.cols();
  if (thresholds.size() != num_classes) {
    return Status::InvalidArgument("thresholds: expected one per class (" +
                                   std::to_string(num_classes) + "), got " +
                                   std::to_string(thresholds.size()));
  }
  for (size_t c = 0; c < num_classes; ++c) {
    if (std::isnan(thresholds[c])) {
      return Status::InvalidArgument("thresholds[" + std::to_string(c) + "] is NaN");
    }
  }

  F1Result result;
  result.thresholds = thresholds;
  result.true_positives.assign(num_classes, 0);
  result.false_positives.assign(num_classes, 0);
  result.false_negatives.assign(num_classes, 0);
  for (size_t n = 0; n < num_samples; ++n) {
    for (size_t c = 0; c < num_classes; ++c) {
      const bool predicted = scores(n, c) >= thresholds[c];
      const bool positive = targets(n, c) == 1.0;
      if (predicted && positive) ++result.true_positives[c];
      if (predicted && !positive) ++result.false_positives[c];
      if (!predicted && positive) ++result.false_negatives[c];
    }
  }

  const double zero_division = options.zero_division;
  int64_t tp_sum = 0, fp_sum = 0, fn_sum = 0;
  result.precision.resize(num_classes);
  result.recall.resize(num_classes);
  result.f1.resize(num_classes);
  for (size_t c = 0; c < num_classes; ++c) {
    const int64_t tp = result.true_positives[c];
    const int64_t fp = result.false_positives[c];
    const int64_t fn = result.false_negatives[c];
    result.precision[c] = Ratio(tp, tp + fp, zero_division);
    result.recall[c] = Ratio(tp, tp + fn, zero_division);
    result.f1[c] = Ratio(2 * tp, 2 * tp + fp + fn, zero_division);
    tp_sum += tp;
    fp_sum += fp;
    fn_sum += fn;
  }
  result.macro_precision = MeanIgnoringNaN(result.precision);
  result.macro_recall = MeanIgnoringNaN(result.recall);
  result.macro_f1 = MeanIgnoringNaN(result.f1);
  result.micro_precision = Ratio(tp_sum, tp_sum + fp_sum, zero_division);
  result.micro_recall = Ratio(tp_sum, tp_sum + fn_sum, zero_division);
  result.micro_f1 = Ratio(2 * tp_sum, 2 * tp_sum + fp_sum + fn_sum, zero_division);
  return result;
}

StatusOr<TunedThresholds> TuneThresholds(const MatrixView& validation_scores,
                                         const MatrixView& validation_targets,
                                         const ThresholdTuningOptions& options) {
  MOSAIC_RETURN_IF_ERROR(internal::CheckScoresAndTargets(
      validation_scores, validation_targets, "validation_scores", "validation_targets"));
  if (std::isnan(options.fallback_threshold)) {
    return Status::InvalidArgument("fallback_threshold: NaN");
  }
  const size_t num_samples = validation_scores.rows();
  const size_t num_classes = validation_scores.cols();

  TunedThresholds result;
  result.thresholds.assign(num_classes, options.fallback_threshold);
  result.validation_f1.assign(num_classes, 0.0);
  result.fell_back.assign(num_classes, true);
  std::vector<std::pair<double, bool>> items(num_samples);
  for (size_t c = 0; c < num_classes; ++c) {
    int64_t num_positives = 0;
    for (size_t n = 0; n < num_samples; ++n) {
      items[n] = {validation_scores(n, c), validation_targets(n, c) == 1.0};
      num_positives += items[n].second ? 1 : 0;
    }
    if (num_positives == 0) continue;
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });

    // Scan the cuts "score >= s_k" from the highest s_k down; F1 = 2 TP /
    // (predicted + positives). Strictly better only, so ties keep the cut
    // with the fewest predicted positives.
    double best_f1 = -1.0;
    double best_threshold = options.fallback_threshold;
    int64_t true_positives = 0;
    for (size_t i = 0; i < num_samples; ++i) {
      if (items[i].second) ++true_positives;
      const bool last_of_threshold = i + 1 == num_samples || items[i + 1].first != items[i].first;
      if (!last_of_threshold) continue;
      const double f1 = 2.0 * static_cast<double>(true_positives) /
                        static_cast<double>(static_cast<int64_t>(i + 1) + num_positives);
      if (f1 <= best_f1) continue;
      best_f1 = f1;
      const double cut = items[i].first;
      best_threshold = cut;
      if (i + 1 < num_samples) {
        const double next_lower = items[i + 1].first;
        const double midpoint = 0.5 * cut + 0.5 * next_lower;
        if (midpoint > next_lower && midpoint <= cut) best_threshold = midpoint;
      }
    }
    result.thresholds[c] = best_threshold;
    result.validation_f1[c] = best_f1;
    result.fell_back[c] = false;
  }
  return result;
}

}  // namespace mosaic::metrics
