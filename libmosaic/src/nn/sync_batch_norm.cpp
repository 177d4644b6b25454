#include "mosaic/nn/sync_batch_norm.h"

#include <utility>
#include <vector>

namespace mosaic::nn {
namespace {

CrossProcessSum& InstalledSum() {
  static CrossProcessSum sum;
  return sum;
}

// Global-batch BatchNorm over every dimension but the channel dimension 1.
torch::Tensor SyncForward(const torch::Tensor& input, const torch::Tensor& weight,
                          const torch::Tensor& bias, torch::Tensor& running_mean,
                          torch::Tensor& running_var, torch::Tensor& num_batches_tracked,
                          double momentum, double eps) {
  const CrossProcessSum& sum = InstalledSum();
  const torch::Tensor x = input.to(torch::kFloat32);
  std::vector<int64_t> dims = {0};
  std::vector<int64_t> shape = {1, x.size(1)};
  for (int64_t d = 2; d < x.dim(); ++d) {
    dims.push_back(d);
    shape.push_back(1);
  }
  const double local_count = static_cast<double>(x.numel() / x.size(1));
  const double count =
      sum(torch::full({1}, local_count, x.options())).item<double>();  // n over all processes
  const torch::Tensor mean = sum(x.sum(dims)) / count;
  const torch::Tensor centered = x - mean.view(shape);
  const torch::Tensor var = sum((centered * centered).sum(dims)) / count;
  torch::Tensor y = centered * torch::rsqrt(var + eps).view(shape);
  if (weight.defined()) y = y * weight.view(shape) + bias.view(shape);
  {
    torch::NoGradGuard no_grad;
    if (running_mean.defined()) {
      running_mean.mul_(1.0 - momentum).add_(mean.detach(), momentum);
      const double unbias = count > 1.0 ? count / (count - 1.0) : 1.0;
      running_var.mul_(1.0 - momentum).add_(var.detach() * unbias, momentum);
      num_batches_tracked.add_(1);
    }
  }
  return y.to(input.scalar_type());
}

template <typename Impl>
torch::Tensor Forward(Impl& bn, const torch::Tensor& x) {
  if (!bn.is_training() || !InstalledSum()) return bn.forward(x);
  const auto& o = bn.options;
  return SyncForward(x, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.num_batches_tracked,
                     o.momentum().value_or(0.1), o.eps());
}

}  // namespace

void SetBatchNormSync(CrossProcessSum sum) { InstalledSum() = std::move(sum); }

bool BatchNormSyncActive() { return static_cast<bool>(InstalledSum()); }

torch::Tensor BatchNormForward(torch::nn::BatchNorm1dImpl& bn, const torch::Tensor& x) {
  return Forward(bn, x);
}

torch::Tensor BatchNormForward(torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x) {
  return Forward(bn, x);
}

}  // namespace mosaic::nn
