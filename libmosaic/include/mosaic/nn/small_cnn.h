// SmallCnn: a small convolutional encoder for tests and CPU demos, with the
// same interface as a ResNet encoder built with num_classes = 0.
//
// Architecture, with w = width:
//   4 blocks of Conv2d 3x3 (padding 1, stride 2, no bias) -> BatchNorm2d -> ReLU,
//   output widths w, 2w, 4w, 4w, then a global average pool.
// Each block halves H and W (rounding up), so the encoder downsamples by 16.
//
// Input:  [N, in_channels, H, W] float32 (NCHW), H >= 8 and W >= 8 pixels.
// Output: [N, feature_dim()] with feature_dim() = 4 * width.
//
// Parameter and buffer names (state_dict keys), k = 1..4:
//   conv{k}.weight                                         [out, in, 3, 3]
//   bn{k}.{weight,bias,running_mean,running_var,num_batches_tracked}
//
// Initialisation as ResNet: convolutions kaiming_normal (fan_out, relu),
// BatchNorm weight 1 and bias 0.
//
// Thread-safety: like any torch::nn::Module, forward() may be called from
// several threads in eval mode under torch::NoGradGuard; training is
// single-threaded.
#ifndef MOSAIC_NN_SMALL_CNN_H_
#define MOSAIC_NN_SMALL_CNN_H_

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <ostream>

#include "mosaic/export.h"

namespace mosaic::nn {

struct MOSAIC_EXPORT SmallCnnOptions {
  SmallCnnOptions() = default;
  explicit SmallCnnOptions(int64_t in_channels) : in_channels_(in_channels) {}

  // Input bands, >= 1.
  TORCH_ARG(int64_t, in_channels) = 3;
  // Base width w (channels of the first block), >= 1.
  TORCH_ARG(int64_t, width) = 32;
};

class MOSAIC_EXPORT SmallCnnImpl : public torch::nn::Module {
 public:
  // Throws c10::Error if in_channels < 1 or width < 1.
  explicit SmallCnnImpl(const SmallCnnOptions& options);

  // (Re)builds every submodule from `options` with fresh weights.
  void reset();

  // x: [N, in_channels, H, W] with H, W >= 8. Returns [N, feature_dim()].
  // Throws c10::Error if x is not 4-D, has the wrong channel count or is
  // smaller than 8x8.
  torch::Tensor forward(const torch::Tensor& x);

  // 4 * width.
  int64_t feature_dim() const { return 4 * options.width(); }

  void pretty_print(std::ostream& stream) const override;

  SmallCnnOptions options;

  // Smallest accepted input height and width, in pixels.
  static constexpr int64_t kMinInputSizePx = 8;

 private:
  static constexpr int kNumBlocks = 4;
  std::array<torch::nn::Conv2d, kNumBlocks> convs_{nullptr, nullptr, nullptr, nullptr};
  std::array<torch::nn::BatchNorm2d, kNumBlocks> bns_{nullptr, nullptr, nullptr, nullptr};
};
TORCH_MODULE(SmallCnn);

}  // namespace mosaic::nn

#endif  // MOSAIC_NN_SMALL_CNN_H_
