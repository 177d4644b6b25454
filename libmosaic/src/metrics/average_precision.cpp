#include "mosaic/metrics/average_precision.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

#include "metrics/checks.h"

namespace mosaic::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// (score, is positive) of one binary decision.
using ScoredTarget = std::pair<double, bool>;

// The step-wise AP of `items` (reordered in place): sum over distinct score
// thresholds, highest first, of (R_k - R_{k-1}) * P_k. Tied scores form one
// threshold, so the order std::sort leaves them in does not matter. NaN when
// no item is positive.
double StepwiseAveragePrecision(std::vector<ScoredTarget>* items) {
  std::sort(items->begin(), items->end(),
            [](const ScoredTarget& a, const ScoredTarget& b) { return a.first > b.first; });
  int64_t num_positives = 0;
  for (const ScoredTarget& item : *items) num_positives += item.second ? 1 : 0;
  if (num_positives == 0) return kNaN;

  const size_t n = items->size();
  int64_t true_positives = 0;
  double previous_recall = 0.0;
  double average_precision = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if ((*items)[i].second) ++true_positives;
    const bool last_of_threshold = i + 1 == n || (*items)[i + 1].first != (*items)[i].first;
    if (!last_of_threshold) continue;
    const double recall = static_cast<double>(true_positives) / static_cast<double>(num_positives);
    const double precision = static_cast<double>(true_positives) / static_cast<double>(i + 1);
    average_precision += (recall - previous_recall) * precision;
    previous_recall = recall;
  }
  return average_precision;
}

}  // namespace

StatusOr<double> BinaryAveragePrecision(const MatrixView& scores, const MatrixView& targets) {
  MOSAIC_RETURN_IF_ERROR(internal::CheckScoresAndTargets(scores, targets));
  const size_t size = scores.rows() * scores.cols();
  std::vector<ScoredTarget> items(size);
  for (size_t i = 0; i < size; ++i) items[i] = {scores.At(i), targets.At(i) == 1.0};
  return StepwiseAveragePrecision(&items);
}

StatusOr<AveragePrecisionResult> ComputeAveragePrecision(const MatrixView& scores,
                                                         const MatrixView& targets) {
  MOSAIC_RETURN_IF_ERROR(internal::CheckScoresAndTargets(scores, targets));
  const size_t num_samples = scores.rows();
  const size_t num_classes = scores.cols();

  AveragePrecisionResult result;
  result.per_class.assign(num_classes, kNaN);
  result.support.assign(num_classes, 0);
  std::vector<ScoredTarget> items(num_samples);
  double sum = 0.0;
  int num_defined = 0;
  for (size_t c = 0; c < num_classes; ++c) {
    for (size_t n = 0; n < num_samples; ++n) {
      items[n] = {scores(n, c), targets(n, c) == 1.0};
      result.support[c] += items[n].second ? 1 : 0;
    }
    if (result.support[c] == 0) {
      ++result.num_classes_without_positives;
      continue;
    }
    result.per_class[c] = StepwiseAveragePrecision(&items);
    sum += result.per_class[c];
    ++num_defined;
  }
  result.macro = num_defined > 0 ? sum / num_defined : kNaN;

  items.resize(num_samples * num_classes);
  for (size_t i = 0; i < items.size(); ++i) items[i] = {scores.At(i), targets.At(i) == 1.0};
  result.micro = StepwiseAveragePrecision(&items);
  return result;
}

}  // namespace mosaic::metrics
