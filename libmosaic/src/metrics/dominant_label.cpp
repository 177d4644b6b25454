#include "mosaic/metrics/dominant_label.h"

#include <cmath>
#include <cstddef>
#include <sstream>

#include "metrics/checks.h"

namespace mosaic::metrics {

StatusOr<std::vector<int>> DominantLabels(const MatrixView& targets, DominantLabelRule rule,
                                          const std::vector<double>& class_frequencies) {
  MOSAIC_RETURN_IF_ERROR(targets.CheckStorage("targets"));
  if (targets.cols() == 0) {
    return Status::InvalidArgument("targets: expected at least one class, got " +
                                   internal::ShapeString(targets));
  }
  MOSAIC_RETURN_IF_ERROR(internal::CheckBinary(targets, "targets"));
  const size_t num_samples = targets.rows();
  const size_t num_classes = targets.cols();

  std::vector<double> frequencies = class_frequencies;
  if (rule == DominantLabelRule::kRarest) {
    if (frequencies.empty()) {
      frequencies.assign(num_classes, 0.0);
      for (size_t n = 0; n < num_samples; ++n) {
        for (size_t c = 0; c < num_classes; ++c) frequencies[c] += targets(n, c);
      }
    } else if (frequencies.size() != num_classes) {
      return Status::InvalidArgument("class_frequencies: expected one per class (" +
                                     std::to_string(num_classes) + ") or none, got " +
                                     std::to_string(frequencies.size()));
    }
    for (size_t c = 0; c < num_classes; ++c) {
      if (!std::isfinite(frequencies[c]) || frequencies[c] < 0.0) {
        std::ostringstream text;
        text << "class_frequencies[" << c << "] is " << frequencies[c]
             << "; expected a finite value >= 0";
        return Status::InvalidArgument(text.str());
      }
    }
  }

  std::vector<int> labels(num_samples, kNoLabel);
  for (size_t n = 0; n < num_samples; ++n) {
    for (size_t c = 0; c < num_classes; ++c) {
      if (targets(n, c) != 1.0) continue;
      if (rule == DominantLabelRule::kFirst) {
        labels[n] = static_cast<int>(c);
        break;
      }
      // Strictly rarer only: ties keep the lower class index.
      if (labels[n] == kNoLabel || frequencies[c] < frequencies[labels[n]]) {
        labels[n] = static_cast<int>(c);
      }
    }
  }
  return labels;
}

}  // namespace mosaic::metrics
