// ResNet-18, ResNet-34 and ResNet-50 encoders, laid out exactly like
// torchvision.models.resnet (v1.5: in a Bottleneck the stride sits on the 3x3
// convolution), so torchvision weights load key-for-key.
//
// Input:  [N, in_channels, H, W] float32 (NCHW). The stem and the four stages
//         downsample by 32 in total; any H, W >= 1 runs, but H, W >= 32 keep
//         the last stage above 1x1.
// Output: num_classes == 0: [N, feature_dim()] globally average-pooled features.
//         num_classes  > 0: [N, num_classes] logits from fc.
//
// Parameter and buffer names (state_dict keys), identical to torchvision's:
//   conv1.weight                       Conv2d(in_channels, 64, 7, stride 2, pad 3, no bias)
//   bn1.{weight,bias,running_mean,running_var,num_batches_tracked}
//   layer{1..4}.{i}.conv{1,2}.weight   BasicBlock (depth 18, 34)
//   layer{1..4}.{i}.conv{1,2,3}.weight Bottleneck (depth 50, expansion 4)
//   layer{1..4}.{i}.bn{1,2[,3]}.*
//   layer{1..4}.{i}.downsample.0.weight   1x1 conv, no bias (first block of a stage
//   layer{1..4}.{i}.downsample.1.*        that changes stride or width), BatchNorm2d
//   fc.{weight,bias}                   Linear(feature_dim, num_classes), only when num_classes > 0
// relu, maxpool and avgpool are registered too (no parameters), as in torchvision.
// Blocks per stage: 18 -> 2,2,2,2; 34 -> 3,4,6,3; 50 -> 3,4,6,3.
//
// Initialisation follows torchvision: convolutions kaiming_normal (fan_out,
// relu), BatchNorm weight 1 and bias 0, fc PyTorch's default Linear init.
//
// Thread-safety: like any torch::nn::Module, forward() may be called from
// several threads in eval mode under torch::NoGradGuard; training is
// single-threaded.
#ifndef MOSAIC_NN_RESNET_H_
#define MOSAIC_NN_RESNET_H_

#include <torch/torch.h>

#include <cstdint>
#include <ostream>

#include "mosaic/export.h"

namespace mosaic::nn {

struct MOSAIC_EXPORT ResNetOptions {
  ResNetOptions() = default;
  explicit ResNetOptions(int64_t depth) : depth_(depth) {}

  // 18, 34 or 50.
  TORCH_ARG(int64_t, depth) = 18;
  // Input bands, >= 1 (e.g. 2 for Sentinel-1 VV/VH, 12 for Sentinel-2 L2A).
  TORCH_ARG(int64_t, in_channels) = 3;
  // 0: no fc layer, forward() returns pooled features. > 0: fc logits.
  TORCH_ARG(int64_t, num_classes) = 0;
};

class MOSAIC_EXPORT ResNetImpl : public torch::nn::Module {
 public:
  // Builds the network. Throws c10::Error if depth is not 18/34/50,
  // in_channels < 1 or num_classes < 0.
  explicit ResNetImpl(const ResNetOptions& options);

  // (Re)builds every submodule from `options` with fresh weights.
  void reset();

  // x: [N, in_channels, H, W]. Returns [N, feature_dim()] or [N, num_classes]
  // (see above). Throws c10::Error if x is not 4-D or its channel count differs
  // from in_channels.
  torch::Tensor forward(const torch::Tensor& x);

  // Width of the pooled features: 512 for depth 18/34, 2048 for depth 50.
  int64_t feature_dim() const;

  void pretty_print(std::ostream& stream) const override;

  ResNetOptions options;

 private:
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::ReLU relu_{nullptr};
  torch::nn::MaxPool2d maxpool_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr}, layer4_{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool_{nullptr};
  torch::nn::Linear fc_{nullptr};  // null when num_classes == 0
};
TORCH_MODULE(ResNet);

}  // namespace mosaic::nn

#endif  // MOSAIC_NN_RESNET_H_
