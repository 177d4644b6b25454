// Private helpers shared by the loss terms (not installed).
#ifndef MOSAIC_SRC_LOSSES_LOSS_UTILS_H_
#define MOSAIC_SRC_LOSSES_LOSS_UTILS_H_

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace mosaic::losses::internal {

// TORCH_CHECKs that `x` is a defined 2-D floating-point tensor; `what` names it
// in the message (e.g. "NtXentLoss: view1").
inline void CheckMatrix(const torch::Tensor& x, const char* what, const char* shape) {
  TORCH_CHECK(x.defined(), what, ": expected a ", shape, " tensor, got an undefined tensor");
  TORCH_CHECK(x.dim() == 2, what, ": expected a ", shape, " tensor, got shape ", x.sizes());
  TORCH_CHECK(x.is_floating_point(), what, ": expected a floating-point tensor, got ",
              x.scalar_type());
}

inline void CheckTemperature(double temperature, const char* what) {
  TORCH_CHECK(std::isfinite(temperature) && temperature > 0.0, what,
              ": temperature must be finite and > 0, got ", temperature);
}

// TORCH_CHECKs an optional [n] bool row mask.
inline void CheckRowMask(const torch::Tensor& mask, int64_t n, const char* what) {
  if (!mask.defined()) return;
  TORCH_CHECK(mask.dim() == 1 && mask.size(0) == n, what, ": expected a [", n, "] mask, got shape ",
              mask.sizes());
  TORCH_CHECK(mask.scalar_type() == torch::kBool, what, ": expected a bool mask, got ",
              mask.scalar_type());
}

inline torch::Tensor MaybeNormalize(const torch::Tensor& x, bool normalize) {
  if (!normalize) return x;
  return torch::nn::functional::normalize(
      x, torch::nn::functional::NormalizeFuncOptions().p(2.0).dim(1));
}

// The log of an optional [n, n] negative-weight matrix (the `negative_weights`
// of NtXentLoss and CrossModalInfoNceLoss), to be added to the logits: checked
// against the embeddings `like` ([n, D]), detached, converted to their dtype,
// the diagonal set to weight 1 (log w = 0), and entries <= 0 set to -inf by
// masked_fill, so log(0) is never evaluated. Undefined if `weights` is.
inline torch::Tensor LogNegativeWeights(const torch::Tensor& weights, const torch::Tensor& like,
                                        const char* what) {
  if (!weights.defined()) return {};
  const int64_t n = like.size(0);
  TORCH_CHECK(weights.dim() == 2 && weights.size(0) == n && weights.size(1) == n, what,
              ": negative_weights must be [", n, ", ", n, "], got shape ", weights.sizes());
  TORCH_CHECK(weights.is_floating_point(), what, ": negative_weights must be floating point, got ",
              weights.scalar_type());
  TORCH_CHECK(weights.device() == like.device(), what,
              ": negative_weights must be on the embeddings' device");
  torch::Tensor w = weights.detach().to(like.scalar_type());
  w = w.masked_fill(torch::eye(n, w.options().dtype(torch::kBool)), 1.0);
  const torch::Tensor removed = w <= 0.0;
  return w.masked_fill(removed, 1.0)
      .log()
      .masked_fill(removed, -std::numeric_limits<double>::infinity());
}

// A zero scalar that is still part of x's graph: backward() through it works
// and yields zero gradients (a detached zero would make backward() throw when
// it is the only term).
inline torch::Tensor ConnectedZero(const torch::Tensor& x) { return x.sum() * 0.0; }

}  // namespace mosaic::losses::internal

#endif  // MOSAIC_SRC_LOSSES_LOSS_UTILS_H_
