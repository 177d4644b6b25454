#include "mosaic/nn/small_cnn.h"

#include "mosaic/nn/sync_batch_norm.h"

#include <string>

namespace mosaic::nn {

SmallCnnImpl::SmallCnnImpl(const SmallCnnOptions& small_cnn_options) : options(small_cnn_options) {
  reset();
}

void SmallCnnImpl::reset() {
  TORCH_CHECK(options.in_channels() >= 1, "SmallCnn: in_channels must be >= 1, got ",
              options.in_channels());
  TORCH_CHECK(options.width() >= 1, "SmallCnn: width must be >= 1, got ", options.width());
  // Drop the submodules of an earlier reset() so that this one rebuilds cleanly.
  for (const auto& child : named_children()) {
    unregister_module(child.key());
  }

  const int64_t w = options.width();
  const std::array<int64_t, kNumBlocks> out_channels = {w, 2 * w, 4 * w, 4 * w};
  int64_t in_channels = options.in_channels();
  for (int i = 0; i < kNumBlocks; ++i) {
    const std::string suffix = std::to_string(i + 1);
    convs_[i] = register_module(
        "conv" + suffix, torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels[i], 3)
                                               .stride(2)
                                               .padding(1)
                                               .bias(false)));
    bns_[i] = register_module("bn" + suffix, torch::nn::BatchNorm2d(out_channels[i]));
    torch::nn::init::kaiming_normal_(convs_[i]->weight, /*a=*/0, torch::kFanOut, torch::kReLU);
    in_channels = out_channels[i];
  }
}

torch::Tensor SmallCnnImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4, "SmallCnn: expected a 4-D input [N, C, H, W], got shape ", x.sizes());
  TORCH_CHECK(x.size(1) == options.in_channels(), "SmallCnn: input has ", x.size(1),
              " channels but the model was built with in_channels=", options.in_channels());
  TORCH_CHECK(x.size(2) >= kMinInputSizePx && x.size(3) >= kMinInputSizePx,
              "SmallCnn: input must be at least ", kMinInputSizePx, "x", kMinInputSizePx,
              " pixels, got ", x.size(2), "x", x.size(3));
  torch::Tensor out = x;
  for (int i = 0; i < kNumBlocks; ++i) {
    out = torch::relu(BatchNormForward(*bns_[i], convs_[i](out)));
  }
  return out.mean({2, 3});  // global average pool -> [N, 4w]
}

void SmallCnnImpl::pretty_print(std::ostream& stream) const {
  stream << "mosaic::nn::SmallCnn(in_channels=" << options.in_channels()
         << ", width=" << options.width() << ")";
}

}  // namespace mosaic::nn
