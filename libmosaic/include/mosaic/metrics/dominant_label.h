// One "dominant" label per multi-label sample, for the clustering metrics
// (silhouette, NMI, ARI), which need a single class per sample. Torch-free.
#ifndef MOSAIC_METRICS_DOMINANT_LABEL_H_
#define MOSAIC_METRICS_DOMINANT_LABEL_H_

#include <vector>

#include "mosaic/export.h"
#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::metrics {

// Marks a sample without any label; the clustering metrics leave it out.
inline constexpr int kNoLabel = -1;

enum class DominantLabelRule {
  // The sample's label that is rarest in the dataset (smallest class
  // frequency); ties go to the lowest class index. Rare classes are the
  // specific ones (a "beach" patch is usually also "water"), so this names the
  // class that sets the sample apart.
  kRarest,
  // The sample's label with the lowest class index.
  kFirst,
};

// For each row of the multi-hot [N, C] `targets`, the class index chosen by
// `rule` among the row's positive classes, or kNoLabel for a row without any.
//
// `class_frequencies` ([C], any non-negative finite scale: counts or
// fractions, e.g. from the training set) ranks the classes for kRarest; when
// empty, the positive counts of `targets` itself are used. Ignored by kFirst.
//
// Errors (InvalidArgument): a buffer of the wrong size, C == 0, a target not 0
// or 1, class_frequencies neither empty nor of size C, or holding a negative
// or non-finite value.
MOSAIC_EXPORT StatusOr<std::vector<int>> DominantLabels(
    const MatrixView& targets, DominantLabelRule rule = DominantLabelRule::kRarest,
    const std::vector<double>& class_frequencies = {});

}  // namespace mosaic::metrics

#endif  // MOSAIC_METRICS_DOMINANT_LABEL_H_
