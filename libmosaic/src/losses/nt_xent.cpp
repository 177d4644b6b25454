#include "mosaic/losses/nt_xent.h"

#include <limits>

#include "losses/loss_utils.h"

namespace mosaic::losses {

torch::Tensor NtXentLoss(const torch::Tensor& view1, const torch::Tensor& view2,
                         const NtXentOptions& options, const torch::Tensor& negative_weights) {
  internal::CheckMatrix(view1, "NtXentLoss: view1", "[N, D]");
  internal::CheckMatrix(view2, "NtXentLoss: view2", "[N, D]");
  TORCH_CHECK(view1.sizes() == view2.sizes(),
              "NtXentLoss: view1 and view2 must have the same shape, got ", view1.sizes(), " and ",
              view2.sizes());
  TORCH_CHECK(view1.size(0) >= 1, "NtXentLoss: need at least one sample, got N = 0");
  TORCH_CHECK(view1.scalar_type() == view2.scalar_type() && view1.device() == view2.device(),
              "NtXentLoss: view1 and view2 must share dtype and device");
  internal::CheckTemperature(options.temperature(), "NtXentLoss");
  const torch::Tensor log_weights =
      internal::LogNegativeWeights(negative_weights, view1, "NtXentLoss");

  const int64_t n = view1.size(0);
  const torch::Tensor z =
      internal::MaybeNormalize(torch::cat({view1, view2}, 0), options.normalize());
  // Self-similarity is excluded from the softmax by a -inf logit; the positive
  // (the target below) is never on the diagonal, so -inf is never picked.
  const auto diagonal = torch::eye(2 * n, z.options().dtype(torch::kBool));
  torch::Tensor logits = (z.matmul(z.t()) / options.temperature())
                             .masked_fill(diagonal, -std::numeric_limits<double>::infinity());
  if (log_weights.defined()) {
    // Row r and column c are samples r mod N and c mod N, so both views of a
    // sample take its weights. The positive (r, r +- N) and the diagonal read
    // log w_ii = 0: the positive keeps weight 1 and the diagonal stays -inf.
    logits = logits + log_weights.repeat({2, 2});
  }
  const auto index = z.options().dtype(torch::kLong);
  const torch::Tensor targets =
      torch::cat({torch::arange(n, 2 * n, index), torch::arange(0, n, index)});
  return torch::nn::functional::cross_entropy(logits, targets);
}

}  // namespace mosaic::losses
