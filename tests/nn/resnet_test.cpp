// Unit tests for mosaic::nn::ResNet that need no Python. The key-for-key and
// output comparison against real torchvision is in torchvision_parity_test.cpp.
#include "mosaic/nn/resnet.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <string>

namespace mosaic::nn {
namespace {

int64_t CountParameters(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const torch::Tensor& parameter : module.parameters()) {
    count += parameter.numel();
  }
  return count;
}

// The message of the c10::Error that `fn` throws, or "" if it throws none.
std::string ErrorMessageOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const c10::Error& error) {
    return error.what_without_backtrace();
  }
  return "";
}

TEST(ResNet, ParameterCountMatchesTorchvision) {
  // torchvision.models.resnetXX() with in_channels 3 and 1000 classes.
  EXPECT_EQ(CountParameters(*ResNet(ResNetOptions(18).in_channels(3).num_classes(1000))), 11689512);
  EXPECT_EQ(CountParameters(*ResNet(ResNetOptions(34).in_channels(3).num_classes(1000))), 21797672);
  EXPECT_EQ(CountParameters(*ResNet(ResNetOptions(50).in_channels(3).num_classes(1000))), 25557032);
}

TEST(ResNet, FeatureDimDependsOnDepth) {
  EXPECT_EQ(ResNet(ResNetOptions(18))->feature_dim(), 512);
  EXPECT_EQ(ResNet(ResNetOptions(34))->feature_dim(), 512);
  EXPECT_EQ(ResNet(ResNetOptions(50))->feature_dim(), 2048);
}

TEST(ResNet, WithoutClassesReturnsPooledFeaturesAndHasNoFc) {
  torch::NoGradGuard no_grad;
  ResNet model(ResNetOptions(18).in_channels(12).num_classes(0));
  model->eval();
  EXPECT_EQ(model->named_children().find("fc"), nullptr);
  const torch::Tensor features = model->forward(torch::randn({2, 12, 40, 40}));
  EXPECT_EQ(features.sizes(), torch::IntArrayRef({2, 512}));
}

TEST(ResNet, WithClassesReturnsLogits) {
  torch::NoGradGuard no_grad;
  ResNet model(ResNetOptions(50).in_channels(2).num_classes(19));
  model->eval();
  const torch::Tensor logits = model->forward(torch::randn({3, 2, 32, 32}));
  EXPECT_EQ(logits.sizes(), torch::IntArrayRef({3, 19}));
  const auto parameters = model->named_parameters();
  ASSERT_NE(parameters.find("fc.weight"), nullptr);
  EXPECT_EQ(parameters["fc.weight"].sizes(), torch::IntArrayRef({19, 2048}));
}

TEST(ResNet, AcceptsSingleChannelInput) {
  torch::NoGradGuard no_grad;
  ResNet model(ResNetOptions(18).in_channels(1));
  model->eval();
  EXPECT_EQ(model->forward(torch::randn({1, 1, 32, 32})).sizes(), torch::IntArrayRef({1, 512}));
  EXPECT_EQ(model->named_parameters()["conv1.weight"].sizes(), torch::IntArrayRef({64, 1, 7, 7}));
}

TEST(ResNet, LayoutFollowsTorchvisionNames) {
  ResNet resnet18(ResNetOptions(18).in_channels(3));
  const auto params18 = resnet18->named_parameters();
  // BasicBlock: layer1 keeps 64 channels and stride 1, so it has no downsample.
  EXPECT_NE(params18.find("layer1.1.conv2.weight"), nullptr);
  EXPECT_EQ(params18.find("layer1.0.downsample.0.weight"), nullptr);
  EXPECT_NE(params18.find("layer2.0.downsample.0.weight"), nullptr);
  EXPECT_NE(params18.find("layer2.0.downsample.1.weight"), nullptr);
  EXPECT_EQ(params18.find("layer2.1.downsample.0.weight"), nullptr);
  EXPECT_EQ(params18.find("layer1.0.conv1.bias"), nullptr);  // convolutions have no bias
  const auto buffers18 = resnet18->named_buffers();
  EXPECT_NE(buffers18.find("bn1.running_mean"), nullptr);
  EXPECT_NE(buffers18.find("layer4.1.bn2.num_batches_tracked"), nullptr);

  ResNet resnet50(ResNetOptions(50).in_channels(3));
  const auto params50 = resnet50->named_parameters();
  // Bottleneck: layer1 widens 64 -> 256, so its first block has a downsample.
  EXPECT_NE(params50.find("layer1.0.downsample.0.weight"), nullptr);
  EXPECT_EQ(params50["layer1.0.conv3.weight"].sizes(), torch::IntArrayRef({256, 64, 1, 1}));
  EXPECT_NE(params50.find("layer3.5.bn3.weight"), nullptr);
  EXPECT_EQ(params50.find("layer3.6.bn3.weight"), nullptr);
  // v1.5: the stride sits on the 3x3 convolution.
  auto conv2 = resnet50->named_modules()["layer2.0.conv2"]->as<torch::nn::Conv2d>();
  auto conv1 = resnet50->named_modules()["layer2.0.conv1"]->as<torch::nn::Conv2d>();
  ASSERT_NE(conv1, nullptr);
  ASSERT_NE(conv2, nullptr);
  EXPECT_EQ(conv2->options.stride()->at(0), 2);
  EXPECT_EQ(conv1->options.stride()->at(0), 1);
}

TEST(ResNet, InitialisationFollowsTorchvision) {
  ResNet model(ResNetOptions(18).in_channels(3));
  const auto params = model->named_parameters();
  EXPECT_TRUE(torch::all(params["layer3.1.bn1.weight"] == 1).item<bool>());
  EXPECT_TRUE(torch::all(params["layer3.1.bn1.bias"] == 0).item<bool>());
  // kaiming_normal, fan_out, relu: std = sqrt(2 / (out_channels * k * k)).
  const torch::Tensor weight = params["layer4.0.conv2.weight"];  // [512, 512, 3, 3]
  const double expected_std = std::sqrt(2.0 / (512.0 * 3 * 3));
  EXPECT_NEAR(weight.std().item<double>(), expected_std, 0.02 * expected_std);
  EXPECT_NEAR(weight.mean().item<double>(), 0.0, 0.02 * expected_std);
}

TEST(ResNet, RejectsUnsupportedDepth) {
  const std::string message = ErrorMessageOf([] { ResNet model(ResNetOptions(101)); });
  EXPECT_NE(message.find("unsupported depth 101"), std::string::npos) << message;
  EXPECT_NE(message.find("18, 34 or 50"), std::string::npos) << message;
}

TEST(ResNet, RejectsBadChannelsAndClasses) {
  std::string message = ErrorMessageOf([] { ResNet model(ResNetOptions(18).in_channels(0)); });
  EXPECT_NE(message.find("in_channels must be >= 1"), std::string::npos) << message;
  message = ErrorMessageOf([] { ResNet model(ResNetOptions(18).num_classes(-1)); });
  EXPECT_NE(message.find("num_classes must be >= 0"), std::string::npos) << message;
}

TEST(ResNet, RejectsInputWithWrongShape) {
  ResNet model(ResNetOptions(18).in_channels(4));
  std::string message = ErrorMessageOf([&] { model->forward(torch::randn({1, 3, 32, 32})); });
  EXPECT_NE(message.find("input has 3 channels"), std::string::npos) << message;
  EXPECT_NE(message.find("in_channels=4"), std::string::npos) << message;
  message = ErrorMessageOf([&] { model->forward(torch::randn({4, 32, 32})); });
  EXPECT_NE(message.find("4-D"), std::string::npos) << message;
}

TEST(ResNet, ResetRebuildsWithFreshWeights) {
  ResNet model(ResNetOptions(18).in_channels(2).num_classes(5));
  const torch::Tensor before = model->named_parameters()["conv1.weight"].clone();
  const size_t num_keys = model->named_parameters().size();
  model->reset();
  EXPECT_EQ(model->named_parameters().size(), num_keys);
  EXPECT_FALSE(torch::equal(model->named_parameters()["conv1.weight"], before));
}

TEST(ResNet, PrettyPrintNamesOptions) {
  std::ostringstream stream;
  ResNet(ResNetOptions(34).in_channels(2))->pretty_print(stream);
  EXPECT_EQ(stream.str(), "mosaic::nn::ResNet(depth=34, in_channels=2, num_classes=0)");
}

}  // namespace
}  // namespace mosaic::nn
