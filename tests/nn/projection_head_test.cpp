#include "mosaic/nn/projection_head.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace mosaic::nn {
namespace {

TEST(ProjectionHead, OutputShapeAndUnitRows) {
  ProjectionHead head(ProjectionHeadOptions(64, 32, 16));
  const torch::Tensor embedding = head->forward(torch::randn({5, 64}) * 10);  // training mode
  EXPECT_EQ(embedding.sizes(), torch::IntArrayRef({5, 16}));
  const torch::Tensor norms = embedding.norm(2, /*dim=*/1);
  EXPECT_TRUE(torch::allclose(norms, torch::ones({5}), /*rtol=*/1e-5, /*atol=*/1e-5)) << norms;
}

TEST(ProjectionHead, EvalModeAcceptsSingleSample) {
  torch::NoGradGuard no_grad;
  ProjectionHead head(ProjectionHeadOptions(8, 8, 4));
  head->eval();
  const torch::Tensor embedding = head->forward(torch::randn({1, 8}));
  EXPECT_EQ(embedding.sizes(), torch::IntArrayRef({1, 4}));
  EXPECT_NEAR(embedding.norm().item<double>(), 1.0, 1e-5);
}

TEST(ProjectionHead, StateDictKeysAreDocumented) {
  ProjectionHead head(ProjectionHeadOptions(10, 6, 3));
  std::vector<std::string> keys;
  for (const auto& item : head->named_parameters()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"fc1.weight", "fc1.bias", "bn1.weight", "bn1.bias",
                                            "fc2.weight", "fc2.bias"}));
  const auto params = head->named_parameters();
  EXPECT_EQ(params["fc1.weight"].sizes(), torch::IntArrayRef({6, 10}));
  EXPECT_EQ(params["fc2.weight"].sizes(), torch::IntArrayRef({3, 6}));
  EXPECT_NE(head->named_buffers().find("bn1.running_mean"), nullptr);
}

TEST(ProjectionHead, RejectsWrongFeatureWidth) {
  ProjectionHead head(ProjectionHeadOptions(10, 6, 3));
  try {
    head->forward(torch::randn({4, 11}));
    FAIL() << "expected c10::Error";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what_without_backtrace()).find("[N, 10]"), std::string::npos)
        << error.what_without_backtrace();
  }
  EXPECT_THROW(ProjectionHead(ProjectionHeadOptions(10, 0, 3)), c10::Error);
}

}  // namespace
}  // namespace mosaic::nn
