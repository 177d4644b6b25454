// BatchNorm whose batch statistics can span several processes.
//
// Data-parallel training splits each global batch across processes. Plain
// BatchNorm would then normalise with each process's share of the batch, and
// the model would differ from one trained on the whole batch at once. While a
// cross-process sum is installed (distributed training does so for its
// duration), the encoders' and projection heads' BatchNorm layers in training
// mode compute mean and variance over the global batch instead:
//   mean = Σ_all x / n_all,  var = Σ_all (x − mean)² / n_all
// where Σ_all is the installed sum, which must be differentiable (its
// gradient is the same sum of the gradients). Running statistics are updated
// as torch's BatchNorm does (momentum, unbiased variance). With no sum
// installed, or in eval mode, the layers run torch's own BatchNorm unchanged.
#ifndef MOSAIC_NN_SYNC_BATCH_NORM_H_
#define MOSAIC_NN_SYNC_BATCH_NORM_H_

#include <torch/torch.h>

#include <functional>

namespace mosaic::nn {

// A differentiable element-wise sum of a tensor over all processes.
using CrossProcessSum = std::function<torch::Tensor(const torch::Tensor&)>;

// Installs the sum process-wide; an empty function removes it. Not
// thread-safe: call it before and after training, not during.
void SetBatchNormSync(CrossProcessSum sum);
bool BatchNormSyncActive();

// Forward of `bn` on `x`, synchronised when a sum is installed and the layer
// is in training mode.
torch::Tensor BatchNormForward(torch::nn::BatchNorm1dImpl& bn, const torch::Tensor& x);
torch::Tensor BatchNormForward(torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x);

}  // namespace mosaic::nn

#endif  // MOSAIC_NN_SYNC_BATCH_NORM_H_
