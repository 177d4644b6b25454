#include "mosaic/nn/encoder.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <string>

namespace mosaic::nn {
namespace {

TEST(Encoder, BuildsEveryListedName) {
  torch::NoGradGuard no_grad;
  const std::map<std::string, int64_t> expected_dims = {
      {"resnet18", 512}, {"resnet34", 512}, {"resnet50", 2048}, {"small_cnn", 64}};
  ASSERT_EQ(EncoderNames().size(), expected_dims.size());
  for (const std::string& name : EncoderNames()) {
    int64_t feature_dim = -1;
    torch::nn::AnyModule encoder = MakeEncoder(name, /*in_channels=*/5,
                                               /*small_cnn_width=*/16, &feature_dim);
    EXPECT_EQ(feature_dim, expected_dims.at(name)) << name;
    encoder.ptr()->eval();
    const torch::Tensor features = encoder.forward(torch::randn({2, 5, 32, 32}));
    EXPECT_EQ(features.sizes(), torch::IntArrayRef({2, feature_dim})) << name;
  }
}

TEST(Encoder, ResNetEncodersHaveNoClassifier) {
  torch::nn::AnyModule encoder = MakeEncoder("resnet18", 3, 32, nullptr);
  EXPECT_EQ(encoder.ptr()->named_parameters().find("fc.weight"), nullptr);
  EXPECT_NE(encoder.ptr()->named_parameters().find("layer4.1.conv2.weight"), nullptr);
}

TEST(Encoder, UnknownNameListsValidNames) {
  try {
    MakeEncoder("vit_b16", 3, 32, nullptr);
    FAIL() << "expected c10::Error";
  } catch (const c10::Error& error) {
    const std::string message = error.what_without_backtrace();
    EXPECT_NE(message.find("unknown encoder 'vit_b16'"), std::string::npos) << message;
    EXPECT_NE(message.find("resnet18, resnet34, resnet50, small_cnn"), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace mosaic::nn
