#include "mosaic/nn/small_cnn.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace mosaic::nn {
namespace {

TEST(SmallCnn, OutputIsPooledFeaturesOfWidthFourW) {
  torch::NoGradGuard no_grad;
  SmallCnn model(SmallCnnOptions(12));
  model->eval();
  EXPECT_EQ(model->feature_dim(), 128);
  EXPECT_EQ(model->forward(torch::randn({3, 12, 32, 32})).sizes(), torch::IntArrayRef({3, 128}));
}

TEST(SmallCnn, AcceptsAnySizeFromEightPixels) {
  torch::NoGradGuard no_grad;
  SmallCnn model(SmallCnnOptions(2).width(8));
  model->eval();
  for (const auto& [height, width] :
       std::vector<std::pair<int64_t, int64_t>>{{8, 8}, {13, 17}, {120, 120}, {8, 64}}) {
    EXPECT_EQ(model->forward(torch::randn({2, 2, height, width})).sizes(),
              torch::IntArrayRef({2, 32}))
        << height << "x" << width;
  }
}

TEST(SmallCnn, StateDictKeysAreDocumented) {
  SmallCnn model(SmallCnnOptions(5).width(4));
  std::vector<std::string> keys;
  for (const auto& item : model->named_parameters()) keys.push_back(item.key());
  const std::vector<std::string> expected = {
      "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias",
      "conv3.weight", "bn3.weight", "bn3.bias", "conv4.weight", "bn4.weight", "bn4.bias"};
  EXPECT_EQ(keys, expected);
  const auto params = model->named_parameters();
  EXPECT_EQ(params["conv1.weight"].sizes(), torch::IntArrayRef({4, 5, 3, 3}));
  EXPECT_EQ(params["conv4.weight"].sizes(), torch::IntArrayRef({16, 16, 3, 3}));
  const auto buffers = model->named_buffers();
  EXPECT_NE(buffers.find("bn4.running_var"), nullptr);
  EXPECT_NE(buffers.find("bn1.num_batches_tracked"), nullptr);
}

TEST(SmallCnn, TrainsOneStep) {
  SmallCnn model(SmallCnnOptions(3).width(4));
  torch::optim::SGD optimizer(model->parameters(), /*lr=*/0.1);
  const torch::Tensor loss = model->forward(torch::randn({4, 3, 16, 16})).pow(2).sum();
  loss.backward();
  for (const auto& item : model->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
  }
  optimizer.step();
}

TEST(SmallCnn, RejectsBadOptionsAndInputs) {
  EXPECT_THROW(SmallCnn(SmallCnnOptions(0)), c10::Error);
  EXPECT_THROW(SmallCnn(SmallCnnOptions(3).width(0)), c10::Error);
  SmallCnn model(SmallCnnOptions(3));
  try {
    model->forward(torch::randn({1, 3, 4, 16}));
    FAIL() << "expected c10::Error for a 4x16 input";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what_without_backtrace()).find("at least 8x8"), std::string::npos)
        << error.what_without_backtrace();
  }
  try {
    model->forward(torch::randn({1, 2, 16, 16}));
    FAIL() << "expected c10::Error for 2 channels";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what_without_backtrace()).find("input has 2 channels"),
              std::string::npos)
        << error.what_without_backtrace();
  }
}

}  // namespace
}  // namespace mosaic::nn
