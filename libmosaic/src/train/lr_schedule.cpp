#include <algorithm>
#include <cmath>

#include "mosaic/train/train_options.h"

namespace mosaic::train {

double LearningRateAt(const OptimizationOptions& options, int64_t step, int64_t total_steps) {
  const double peak = options.learning_rate;
  if (step < options.warmup_steps) {
    return peak * static_cast<double>(step + 1) / static_cast<double>(options.warmup_steps);
  }
  const int64_t span = std::max<int64_t>(1, total_steps - options.warmup_steps - 1);
  const double t =
      std::min(1.0, static_cast<double>(step - options.warmup_steps) / static_cast<double>(span));
  const double pi = std::acos(-1.0);
  return options.min_learning_rate +
         (peak - options.min_learning_rate) * 0.5 * (1.0 + std::cos(pi * t));
}

}  // namespace mosaic::train
