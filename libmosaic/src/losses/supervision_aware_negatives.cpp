#include "mosaic/losses/supervision_aware_negatives.h"

#include <string>
#include <vector>

#include "losses/loss_utils.h"

namespace mosaic::losses {

std::string NegativeModeName(NegativeMode mode) {
  switch (mode) {
    case NegativeMode::kOff:
      return "off";
    case NegativeMode::kRemove:
      return "remove";
    case NegativeMode::kDownweight:
      return "downweight";
  }
  TORCH_CHECK(false, "NegativeModeName: invalid NegativeMode value ", static_cast<int>(mode));
}

std::vector<std::string> NegativeModeNames() {
  return {NegativeModeName(NegativeMode::kOff), NegativeModeName(NegativeMode::kRemove),
          NegativeModeName(NegativeMode::kDownweight)};
}

NegativeMode ParseNegativeMode(const std::string& name) {
  for (auto mode : {NegativeMode::kOff, NegativeMode::kRemove, NegativeMode::kDownweight}) {
    if (name == NegativeModeName(mode)) return mode;
  }
  TORCH_CHECK(false, "unknown supervision-aware negatives mode '", name,
              "'; valid names: off, remove, downweight");
}

torch::Tensor SupervisionAwareNegativeWeights(const torch::Tensor& labels,
                                              const torch::Tensor& labelled,
                                              LabelSimilarity similarity, NegativeMode mode,
                                              torch::Dtype dtype) {
  TORCH_CHECK(labels.defined() && labels.dim() == 2,
              "SupervisionAwareNegativeWeights: expected [N, C] labels, got ",
              labels.defined() ? "shape " + c10::str(labels.sizes()) : "an undefined tensor");
  TORCH_CHECK(c10::isFloatingType(dtype),
              "SupervisionAwareNegativeWeights: dtype must be floating point, got ", dtype);
  const int64_t n = labels.size(0);
  internal::CheckRowMask(labelled, n, "SupervisionAwareNegativeWeights: labelled");
  if (labelled.defined()) {
    TORCH_CHECK(labelled.device() == labels.device(),
                "SupervisionAwareNegativeWeights: labelled must be on the labels' device");
  }
  if (mode == NegativeMode::kOff) return {};
  TORCH_CHECK(mode == NegativeMode::kRemove || mode == NegativeMode::kDownweight,
              "SupervisionAwareNegativeWeights: invalid NegativeMode value ",
              static_cast<int>(mode));

  torch::Tensor y = labels.detach();
  if (labelled.defined()) {
    // Unlabelled rows become empty label sets before anything reads them (they
    // may hold NaN). An empty set has similarity 0 with every set under every
    // kind (label_similarity.h), so every pair with an unlabelled sample gets
    // weight 1 in both modes: nothing is known about it.
    y = y.masked_fill(labelled.logical_not().unsqueeze(1), 0);
  }
  const torch::Tensor sim = LabelSimilarityMatrix(y, similarity, dtype);
  const torch::Tensor w = mode == NegativeMode::kRemove ? (sim <= 0.0).to(dtype) : 1.0 - sim;
  return w.masked_fill(torch::eye(n, w.options().dtype(torch::kBool)), 1.0);
}

}  // namespace mosaic::losses
