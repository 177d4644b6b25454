// Label-set similarity: how strongly two multi-labelled samples count as
// positives of each other in the multi-label supervised contrastive loss.
//
// A label set is a multi-hot row of a [N, C] tensor; an entry > 0.5 means the
// class is present (so float {0,1}, bool and integer multi-hot rows all work,
// and soft labels are binarised at 0.5). For two sets Yi, Yj:
//   kJaccard     |Yi ∩ Yj| / |Yi ∪ Yj|                      (in [0, 1])
//   kAnyOverlap  1 if |Yi ∩ Yj| > 0, else 0
//   kExactMatch  1 if Yi == Yj and Yi is non-empty, else 0
// Two empty label sets have similarity 0 under every kind (an empty set says
// nothing about semantic agreement), and so does an empty set with any other.
//
// Thread-safety: all functions are pure and may be called concurrently.
#ifndef MOSAIC_LOSSES_LABEL_SIMILARITY_H_
#define MOSAIC_LOSSES_LABEL_SIMILARITY_H_

#include <torch/torch.h>

#include <string>
#include <vector>

#include "mosaic/export.h"

namespace mosaic::losses {

enum class LabelSimilarity {
  kJaccard,     // "jaccard" (default)
  kAnyOverlap,  // "any-overlap"
  kExactMatch,  // "exact-match"
};

// The configuration name of `kind`: "jaccard", "any-overlap" or "exact-match".
MOSAIC_EXPORT std::string LabelSimilarityName(LabelSimilarity kind);

// Parses a configuration name (exactly as LabelSimilarityName spells it).
// Throws c10::Error naming the valid spellings if `name` is not one of them.
MOSAIC_EXPORT LabelSimilarity ParseLabelSimilarity(const std::string& name);

// Every valid configuration name, in declaration order.
MOSAIC_EXPORT std::vector<std::string> LabelSimilarityNames();

// Pairwise similarity of the label sets in `labels` ([N, C], any numeric or
// bool dtype, N >= 0, C >= 0). Returns [N, N] in `dtype` (floating) on the
// labels' device; entry (i, j) is the similarity of rows i and j. The diagonal
// is the self-similarity (1 for a non-empty set, 0 for an empty one); losses
// that exclude j == i must ignore it themselves. The result carries no
// gradient (label sets are constants).
// Throws c10::Error if `labels` is not 2-D or `dtype` is not floating point.
MOSAIC_EXPORT torch::Tensor LabelSimilarityMatrix(const torch::Tensor& labels, LabelSimilarity kind,
                                                  torch::Dtype dtype = torch::kFloat);

}  // namespace mosaic::losses

#endif  // MOSAIC_LOSSES_LABEL_SIMILARITY_H_
