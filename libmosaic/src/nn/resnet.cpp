// ResNet-18/34/50, a line-by-line port of torchvision/models/resnet.py.
#include "mosaic/nn/resnet.h"

#include "mosaic/nn/sync_batch_norm.h"

#include <array>

namespace mosaic::nn {
namespace {

// torchvision's conv3x3: padding 1, no bias (a BatchNorm follows).
torch::nn::Conv2d Conv3x3(int64_t in_planes, int64_t out_planes, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_planes, out_planes, 3).stride(stride).padding(1).bias(false));
}

// torchvision's conv1x1: no bias.
torch::nn::Conv2d Conv1x1(int64_t in_planes, int64_t out_planes, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_planes, out_planes, 1).stride(stride).bias(false));
}

// The shortcut's Sequential(conv1x1, BatchNorm2d), run with BatchNormForward
// so that its statistics are synchronised like the others.
torch::Tensor Downsample(torch::nn::Sequential downsample, const torch::Tensor& x) {
  torch::Tensor out = downsample[0]->as<torch::nn::Conv2dImpl>()->forward(x);
  return BatchNormForward(*downsample[1]->as<torch::nn::BatchNorm2dImpl>(), out);
}

// Two 3x3 convolutions with an identity (or downsample) shortcut.
// Children, in torchvision's order: conv1 bn1 relu conv2 bn2 [downsample].
class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 1;

  BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride,
                 torch::nn::Sequential downsample) {
    conv1_ = register_module("conv1", Conv3x3(in_planes, planes, stride));
    bn1_ = register_module("bn1", torch::nn::BatchNorm2d(planes));
    relu_ = register_module("relu", torch::nn::ReLU());
    conv2_ = register_module("conv2", Conv3x3(planes, planes, 1));
    bn2_ = register_module("bn2", torch::nn::BatchNorm2d(planes));
    if (downsample) {
      downsample_ = register_module("downsample", downsample);
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor identity = downsample_ ? Downsample(downsample_, x) : x;
    torch::Tensor out = relu_(BatchNormForward(*bn1_, conv1_(x)));
    out = BatchNormForward(*bn2_, conv2_(out));
    return relu_(out + identity);
  }

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
  torch::nn::ReLU relu_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(BasicBlock);

// 1x1 -> 3x3 (carries the stride, "ResNet v1.5") -> 1x1 expanding by 4.
// Children, in torchvision's order: conv1 bn1 conv2 bn2 conv3 bn3 relu [downsample].
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;

  BottleneckImpl(int64_t in_planes, int64_t planes, int64_t stride,
                 torch::nn::Sequential downsample) {
    const int64_t width = planes;  // groups = 1, base_width = 64 in torchvision
    conv1_ = register_module("conv1", Conv1x1(in_planes, width, 1));
    bn1_ = register_module("bn1", torch::nn::BatchNorm2d(width));
    conv2_ = register_module("conv2", Conv3x3(width, width, stride));
    bn2_ = register_module("bn2", torch::nn::BatchNorm2d(width));
    conv3_ = register_module("conv3", Conv1x1(width, planes * kExpansion, 1));
    bn3_ = register_module("bn3", torch::nn::BatchNorm2d(planes * kExpansion));
    relu_ = register_module("relu", torch::nn::ReLU());
    if (downsample) {
      downsample_ = register_module("downsample", downsample);
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor identity = downsample_ ? Downsample(downsample_, x) : x;
    torch::Tensor out = relu_(BatchNormForward(*bn1_, conv1_(x)));
    out = relu_(BatchNormForward(*bn2_, conv2_(out)));
    out = BatchNormForward(*bn3_, conv3_(out));
    return relu_(out + identity);
  }

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr};
  torch::nn::ReLU relu_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(Bottleneck);

// Which block a depth uses and how many blocks each of the four stages has.
struct Architecture {
  bool bottleneck;
  std::array<int64_t, 4> blocks_per_stage;
};

Architecture ArchitectureForDepth(int64_t depth) {
  TORCH_CHECK(depth == 18 || depth == 34 || depth == 50, "ResNet: unsupported depth ", depth,
              "; expected 18, 34 or 50");
  if (depth == 18) {
    return {false, {2, 2, 2, 2}};
  }
  if (depth == 34) {
    return {false, {3, 4, 6, 3}};
  }
  return {true, {3, 4, 6, 3}};
}

// torchvision's ResNet._make_layer. Updates *in_planes to the stage's output width.
torch::nn::Sequential MakeStage(bool bottleneck, int64_t* in_planes, int64_t planes,
                                int64_t num_blocks, int64_t stride) {
  const int64_t expansion = bottleneck ? BottleneckImpl::kExpansion : BasicBlockImpl::kExpansion;
  const int64_t out_planes = planes * expansion;
  torch::nn::Sequential stage;
  for (int64_t i = 0; i < num_blocks; ++i) {
    const int64_t block_stride = (i == 0) ? stride : 1;
    torch::nn::Sequential downsample{nullptr};
    if (block_stride != 1 || *in_planes != out_planes) {
      downsample = torch::nn::Sequential(Conv1x1(*in_planes, out_planes, block_stride),
                                         torch::nn::BatchNorm2d(out_planes));
    }
    if (bottleneck) {
      stage->push_back(Bottleneck(*in_planes, planes, block_stride, downsample));
    } else {
      stage->push_back(BasicBlock(*in_planes, planes, block_stride, downsample));
    }
    *in_planes = out_planes;
  }
  return stage;
}

}  // namespace

ResNetImpl::ResNetImpl(const ResNetOptions& resnet_options) : options(resnet_options) { reset(); }

void ResNetImpl::reset() {
  const Architecture arch = ArchitectureForDepth(options.depth());
  TORCH_CHECK(options.in_channels() >= 1, "ResNet: in_channels must be >= 1, got ",
              options.in_channels());
  TORCH_CHECK(options.num_classes() >= 0, "ResNet: num_classes must be >= 0 (0 = no fc), got ",
              options.num_classes());
  // Drop the submodules of an earlier reset() so that this one rebuilds cleanly.
  for (const auto& child : named_children()) {
    unregister_module(child.key());
  }

  conv1_ = register_module(
      "conv1",
      torch::nn::Conv2d(
          torch::nn::Conv2dOptions(options.in_channels(), 64, 7).stride(2).padding(3).bias(false)));
  bn1_ = register_module("bn1", torch::nn::BatchNorm2d(64));
  relu_ = register_module("relu", torch::nn::ReLU());
  maxpool_ = register_module(
      "maxpool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));

  int64_t in_planes = 64;
  const auto& blocks = arch.blocks_per_stage;
  layer1_ = register_module("layer1", MakeStage(arch.bottleneck, &in_planes, 64, blocks[0], 1));
  layer2_ = register_module("layer2", MakeStage(arch.bottleneck, &in_planes, 128, blocks[1], 2));
  layer3_ = register_module("layer3", MakeStage(arch.bottleneck, &in_planes, 256, blocks[2], 2));
  layer4_ = register_module("layer4", MakeStage(arch.bottleneck, &in_planes, 512, blocks[3], 2));
  avgpool_ = register_module(
      "avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1})));
  fc_ = nullptr;
  if (options.num_classes() > 0) {
    fc_ = register_module("fc", torch::nn::Linear(in_planes, options.num_classes()));
  }

  // torchvision's initialisation (zero_init_residual = False).
  for (const auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(conv->weight, /*a=*/0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
      torch::nn::init::ones_(bn->weight);
      torch::nn::init::zeros_(bn->bias);
    }
  }
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() == 4, "ResNet: expected a 4-D input [N, C, H, W], got shape ", x.sizes());
  TORCH_CHECK(x.size(1) == options.in_channels(), "ResNet: input has ", x.size(1),
              " channels but the model was built with in_channels=", options.in_channels());
  torch::Tensor out = maxpool_(relu_(BatchNormForward(*bn1_, conv1_(x))));
  out = layer1_->forward(out);
  out = layer2_->forward(out);
  out = layer3_->forward(out);
  out = layer4_->forward(out);
  out = torch::flatten(avgpool_(out), /*start_dim=*/1);
  if (fc_) {
    out = fc_(out);
  }
  return out;
}

int64_t ResNetImpl::feature_dim() const { return options.depth() >= 50 ? 2048 : 512; }

void ResNetImpl::pretty_print(std::ostream& stream) const {
  stream << "mosaic::nn::ResNet(depth=" << options.depth()
         << ", in_channels=" << options.in_channels() << ", num_classes=" << options.num_classes()
         << ")";
}

}  // namespace mosaic::nn
