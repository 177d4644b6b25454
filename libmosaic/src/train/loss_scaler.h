// Dynamic loss scaling for fp16 mixed-precision training (the scheme of
// PyTorch's GradScaler). fp16 cannot represent gradients below ~6e-8 (they
// flush to zero) nor above 65504, so the loss is multiplied by `scale` before
// backward, the gradients are divided by it before clipping and the optimiser
// step, and the scale adapts: a step whose gradients hold inf/NaN is skipped
// and the scale multiplied by backoff_factor; after growth_interval finite
// steps in a row it is multiplied by growth_factor. Internal to libmosaic.
//
// Per step:
//   scaler.Scale(loss).backward();
//   const bool finite = scaler.Unscale(params);  // grads now true gradients
//   if (finite) { clip; optimizer.step(); }
//   scaler.Update(finite);
//
// Thread-safety: none; one scaler per training loop.
#ifndef MOSAIC_SRC_TRAIN_LOSS_SCALER_H_
#define MOSAIC_SRC_TRAIN_LOSS_SCALER_H_

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace mosaic::train::internal {

struct LossScalerOptions {
  double init_scale = 65536.0;  // 2^16
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  int64_t growth_interval = 2000;  // finite steps in a row before growing
};

class DynamicLossScaler {
 public:
  explicit DynamicLossScaler(LossScalerOptions options = {});

  // loss * scale (a new tensor; `loss` stays as it is for logging).
  torch::Tensor Scale(const torch::Tensor& loss) const;

  // Divides every defined gradient of `params` by the scale, in place, and
  // returns whether all of them are finite. Parameters without a gradient
  // (frozen, or unused this step) are skipped. One host synchronisation.
  bool Unscale(const std::vector<torch::Tensor>& params) const;

  // After the step: `finite` false halves (backoff) the scale and restarts the
  // count of finite steps; true counts the step and grows the scale when the
  // count reaches growth_interval. The scale never drops below the smallest
  // positive normal double.
  void Update(bool finite);

  double scale() const { return scale_; }
  // Finite steps since the last change of the scale.
  int64_t growth_tracker() const { return growth_tracker_; }
  // Steps skipped so far (for logs and tests).
  int64_t skipped_steps() const { return skipped_steps_; }

  // Restores a state saved from scale() and growth_tracker() (checkpoints).
  void Restore(double scale, int64_t growth_tracker);

 private:
  LossScalerOptions options_;
  double scale_;
  int64_t growth_tracker_ = 0;
  int64_t skipped_steps_ = 0;
};

}  // namespace mosaic::train::internal

#endif  // MOSAIC_SRC_TRAIN_LOSS_SCALER_H_
