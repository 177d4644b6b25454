#include "mosaic/losses/label_similarity.h"

#include <string>
#include <vector>

namespace mosaic::losses {

std::string LabelSimilarityName(LabelSimilarity kind) {
  switch (kind) {
    case LabelSimilarity::kJaccard:
      return "jaccard";
    case LabelSimilarity::kAnyOverlap:
      return "any-overlap";
    case LabelSimilarity::kExactMatch:
      return "exact-match";
  }
  TORCH_CHECK(false, "LabelSimilarityName: invalid LabelSimilarity value ", static_cast<int>(kind));
}

std::vector<std::string> LabelSimilarityNames() {
  return {LabelSimilarityName(LabelSimilarity::kJaccard),
          LabelSimilarityName(LabelSimilarity::kAnyOverlap),
          LabelSimilarityName(LabelSimilarity::kExactMatch)};
}

LabelSimilarity ParseLabelSimilarity(const std::string& name) {
  for (auto kind :
       {LabelSimilarity::kJaccard, LabelSimilarity::kAnyOverlap, LabelSimilarity::kExactMatch}) {
    if (name == LabelSimilarityName(kind)) return kind;
  }
  TORCH_CHECK(false, "unknown label similarity '", name,
              "'; valid names: jaccard, any-overlap, exact-match");
}

torch::Tensor LabelSimilarityMatrix(const torch::Tensor& labels, LabelSimilarity kind,
                                    torch::Dtype dtype) {
  TORCH_CHECK(labels.defined(), "LabelSimilarityMatrix: labels is undefined");
  TORCH_CHECK(labels.dim() == 2, "LabelSimilarityMatrix: expected [N, C] labels, got shape ",
              labels.sizes());
  TORCH_CHECK(c10::isFloatingType(dtype),
              "LabelSimilarityMatrix: dtype must be floating point, got ", dtype);
  // Binarise, then count with matmuls; counts are exact in any float type for
  // realistic class counts (< 2^11 even in half precision).
  const torch::Tensor present =
      labels.scalar_type() == torch::kBool ? labels.detach() : labels.detach() > 0.5;
  const torch::Tensor y = present.to(dtype);
  const torch::Tensor inter = y.matmul(y.t());                                // |Yi ∩ Yj|
  const torch::Tensor count = y.sum(1);                                       // |Yi|
  const torch::Tensor uni = count.unsqueeze(1) + count.unsqueeze(0) - inter;  // |Yi ∪ Yj|
  switch (kind) {
    case LabelSimilarity::kJaccard:
      // Two empty sets have a 0/0 Jaccard; define it as 0 (clamp keeps 0/1).
      return inter / uni.clamp_min(1.0);
    case LabelSimilarity::kAnyOverlap:
      return (inter > 0.5).to(dtype);
    case LabelSimilarity::kExactMatch:
      // Equal sets <=> intersection == union; non-empty <=> union > 0.
      return ((inter == uni) & (uni > 0.5)).to(dtype);
  }
  TORCH_CHECK(false, "LabelSimilarityMatrix: invalid LabelSimilarity value ",
              static_cast<int>(kind));
}

}  // namespace mosaic::losses
