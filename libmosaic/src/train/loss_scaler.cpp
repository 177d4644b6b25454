#include "train/loss_scaler.h"

#include <algorithm>
#include <cfloat>

namespace mosaic::train::internal {

DynamicLossScaler::DynamicLossScaler(LossScalerOptions options)
    : options_(options), scale_(options.init_scale) {}

torch::Tensor DynamicLossScaler::Scale(const torch::Tensor& loss) const { return loss * scale_; }

bool DynamicLossScaler::Unscale(const std::vector<torch::Tensor>& params) const {
  torch::NoGradGuard no_grad;
  const double inv_scale = 1.0 / scale_;
  // One flag per device, so that the only synchronisation is at the end.
  std::vector<torch::Tensor> found_inf;
  for (const torch::Tensor& p : params) {
    torch::Tensor g = p.grad();
    if (!g.defined()) continue;
    g.mul_(inv_scale);
    torch::Tensor bad = torch::logical_not(torch::isfinite(g)).any();
    bool merged = false;
    for (torch::Tensor& flag : found_inf) {
      if (flag.device() == bad.device()) {
        flag.logical_or_(bad);
        merged = true;
        break;
      }
    }
    if (!merged) found_inf.push_back(bad);
  }
  for (const torch::Tensor& flag : found_inf) {
    if (flag.item<bool>()) return false;
  }
  return true;
}

void DynamicLossScaler::Update(bool finite) {
  if (!finite) {
    scale_ = std::max(scale_ * options_.backoff_factor, DBL_MIN);
    growth_tracker_ = 0;
    ++skipped_steps_;
    return;
  }
  if (++growth_tracker_ >= options_.growth_interval) {
    scale_ *= options_.growth_factor;
    growth_tracker_ = 0;
  }
}

void DynamicLossScaler::Restore(double scale, int64_t growth_tracker) {
  scale_ = scale;
  growth_tracker_ = growth_tracker;
}

}  // namespace mosaic::train::internal
