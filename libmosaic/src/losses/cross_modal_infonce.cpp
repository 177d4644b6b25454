#include "mosaic/losses/cross_modal_infonce.h"

#include "losses/loss_utils.h"

namespace mosaic::losses {

torch::Tensor CrossModalInfoNceLoss(const torch::Tensor& s1, const torch::Tensor& s2,
                                    const CrossModalInfoNceOptions& options,
                                    const torch::Tensor& negative_weights) {
  internal::CheckMatrix(s1, "CrossModalInfoNceLoss: s1", "[N, D]");
  internal::CheckMatrix(s2, "CrossModalInfoNceLoss: s2", "[N, D]");
  TORCH_CHECK(s1.sizes() == s2.sizes(),
              "CrossModalInfoNceLoss: s1 and s2 must have the same shape, got ", s1.sizes(),
              " and ", s2.sizes());
  TORCH_CHECK(s1.size(0) >= 1, "CrossModalInfoNceLoss: need at least one sample, got N = 0");
  TORCH_CHECK(s1.scalar_type() == s2.scalar_type() && s1.device() == s2.device(),
              "CrossModalInfoNceLoss: s1 and s2 must share dtype and device");
  internal::CheckTemperature(options.temperature(), "CrossModalInfoNceLoss");
  const torch::Tensor log_weights =
      internal::LogNegativeWeights(negative_weights, s1, "CrossModalInfoNceLoss");

  const torch::Tensor a = internal::MaybeNormalize(s1, options.normalize());
  const torch::Tensor b = internal::MaybeNormalize(s2, options.normalize());
  const torch::Tensor logits = a.matmul(b.t()) / options.temperature();  // rows: S1 anchors
  const torch::Tensor targets = torch::arange(s1.size(0), a.options().dtype(torch::kLong));
  namespace F = torch::nn::functional;
  if (!log_weights.defined()) {
    return 0.5 * (F::cross_entropy(logits, targets) + F::cross_entropy(logits.t(), targets));
  }
  // Anchor i (of either modality) weights candidate k by w_ik; the positive
  // (the diagonal, log w_ii = 0) keeps weight 1.
  return 0.5 * (F::cross_entropy(logits + log_weights, targets) +
                F::cross_entropy(logits.t() + log_weights, targets));
}

}  // namespace mosaic::losses
