#include "mosaic/nn/dual_stream.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <set>
#include <string>

#include "mosaic/nn/resnet.h"

namespace mosaic::nn {
namespace {

constexpr int64_t kBatch = 2;
constexpr int64_t kSizePx = 16;
constexpr int64_t kNumClasses = 19;

// Small CPU-friendly model: SmallCnn width 8 (feature_dim 32) per stream.
DualStreamModelOptions SmallOptions() {
  return DualStreamModelOptions()
      .s1_encoder("small_cnn")
      .s2_encoder("small_cnn")
      .small_cnn_width(8)
      .projection_dim(16)
      .projection_hidden_dim(24)
      .num_classes(kNumClasses);
}

torch::Tensor S1Batch(int64_t n = kBatch) { return torch::randn({n, 2, kSizePx, kSizePx}); }
torch::Tensor S2Batch(int64_t n = kBatch) { return torch::randn({n, 12, kSizePx, kSizePx}); }

std::set<std::string> ChildNames(const torch::nn::Module& module) {
  std::set<std::string> names;
  for (const auto& child : module.named_children()) names.insert(child.key());
  return names;
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

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(DualStreamModel, OutputShapesWithBothModalities) {
  DualStreamModel model(SmallOptions());
  const DualStreamOutput out = model->forward(S1Batch(), S2Batch());
  EXPECT_EQ(out.s1_features.sizes(), torch::IntArrayRef({kBatch, 32}));
  EXPECT_EQ(out.s2_features.sizes(), torch::IntArrayRef({kBatch, 32}));
  EXPECT_EQ(out.s1_embedding.sizes(), torch::IntArrayRef({kBatch, 16}));
  EXPECT_EQ(out.s2_embedding.sizes(), torch::IntArrayRef({kBatch, 16}));
  EXPECT_EQ(out.s1_logits.sizes(), torch::IntArrayRef({kBatch, kNumClasses}));
  EXPECT_EQ(out.s2_logits.sizes(), torch::IntArrayRef({kBatch, kNumClasses}));
  EXPECT_EQ(out.fused_logits.sizes(), torch::IntArrayRef({kBatch, kNumClasses}));
  EXPECT_TRUE(torch::allclose(out.s1_embedding.norm(2, 1), torch::ones({kBatch}), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(out.s2_embedding.norm(2, 1), torch::ones({kBatch}), 1e-5, 1e-5));
  EXPECT_EQ(model->s1_feature_dim(), 32);
  EXPECT_EQ(model->s2_feature_dim(), 32);
}

TEST(DualStreamModel, MissingModalityUsesSingleHeads) {
  torch::NoGradGuard no_grad;
  DualStreamModel model(SmallOptions());
  model->eval();

  const DualStreamOutput s2_only = model->forward(torch::Tensor(), S2Batch(1));
  EXPECT_FALSE(s2_only.s1_features.defined());
  EXPECT_FALSE(s2_only.s1_embedding.defined());
  EXPECT_FALSE(s2_only.s1_logits.defined());
  EXPECT_FALSE(s2_only.fused_logits.defined());
  EXPECT_EQ(s2_only.s2_logits.sizes(), torch::IntArrayRef({1, kNumClasses}));
  EXPECT_EQ(s2_only.s2_embedding.sizes(), torch::IntArrayRef({1, 16}));

  const DualStreamOutput s1_only = model->forward(S1Batch(1), torch::Tensor());
  EXPECT_EQ(s1_only.s1_logits.sizes(), torch::IntArrayRef({1, kNumClasses}));
  EXPECT_FALSE(s1_only.s2_logits.defined());
  EXPECT_FALSE(s1_only.fused_logits.defined());
}

TEST(DualStreamModel, FusedHeadSeesConcatenatedFeatures) {
  torch::NoGradGuard no_grad;
  DualStreamModel model(SmallOptions());
  model->eval();
  const torch::Tensor s1 = S1Batch();
  const torch::Tensor s2 = S2Batch();
  const DualStreamOutput out = model->forward(s1, s2);
  EXPECT_TRUE(torch::allclose(out.s1_features, model->EncodeS1(s1)));
  EXPECT_TRUE(torch::allclose(out.s2_features, model->EncodeS2(s2)));
  const auto params = model->named_parameters();
  const torch::Tensor expected =
      torch::nn::functional::linear(torch::cat({out.s1_features, out.s2_features}, 1),
                                    params["fused_head.weight"], params["fused_head.bias"]);
  EXPECT_TRUE(torch::allclose(out.fused_logits, expected, 1e-5, 1e-5));
}

TEST(DualStreamModel, SingleStreamModels) {
  DualStreamModel s1_model(SmallOptions().s2_encoder(""));
  EXPECT_TRUE(s1_model->has_s1());
  EXPECT_FALSE(s1_model->has_s2());
  EXPECT_EQ(ChildNames(*s1_model),
            (std::set<std::string>{"s1_encoder", "s1_projection", "s1_head"}));
  const DualStreamOutput s1_out = s1_model->forward(S1Batch(), torch::Tensor());
  EXPECT_EQ(s1_out.s1_logits.sizes(), torch::IntArrayRef({kBatch, kNumClasses}));
  EXPECT_FALSE(s1_out.fused_logits.defined());

  DualStreamModel s2_model(SmallOptions().s1_encoder(""));
  EXPECT_EQ(ChildNames(*s2_model),
            (std::set<std::string>{"s2_encoder", "s2_projection", "s2_head"}));
  EXPECT_EQ(s2_model->named_parameters().find("fused_head.weight"), nullptr);
  const DualStreamOutput s2_out = s2_model->forward(torch::Tensor(), S2Batch());
  EXPECT_EQ(s2_out.s2_embedding.sizes(), torch::IntArrayRef({kBatch, 16}));
  EXPECT_FALSE(s2_out.s1_logits.defined());
}

TEST(DualStreamModel, StateDictKeysUseDocumentedPrefixes) {
  DualStreamModel model(DualStreamModelOptions()
                            .s1_encoder("small_cnn")
                            .s2_encoder("resnet18")
                            .small_cnn_width(8)
                            .num_classes(kNumClasses));
  const std::set<std::string> prefixes = {"s1_encoder.",    "s2_encoder.", "s1_projection.",
                                          "s2_projection.", "s1_head.",    "s2_head.",
                                          "fused_head."};
  for (const auto& item : model->named_parameters()) {
    const std::string& key = item.key();
    const std::string prefix = key.substr(0, key.find('.') + 1);
    EXPECT_EQ(prefixes.count(prefix), 1u) << key;
  }
  const auto params = model->named_parameters();
  const auto buffers = model->named_buffers();
  EXPECT_NE(params.find("s1_encoder.conv1.weight"), nullptr);
  EXPECT_NE(params.find("s2_encoder.layer1.0.conv1.weight"), nullptr);
  EXPECT_NE(buffers.find("s2_encoder.layer4.1.bn2.running_var"), nullptr);
  EXPECT_NE(params.find("s1_projection.fc1.weight"), nullptr);
  EXPECT_EQ(params["s2_projection.fc1.weight"].sizes(), torch::IntArrayRef({512, 512}));
  EXPECT_EQ(params["s2_projection.fc2.weight"].sizes(), torch::IntArrayRef({128, 512}));
  EXPECT_EQ(params["s1_head.weight"].sizes(), torch::IntArrayRef({kNumClasses, 32}));
  EXPECT_EQ(params["s2_head.weight"].sizes(), torch::IntArrayRef({kNumClasses, 512}));
  EXPECT_EQ(params["fused_head.weight"].sizes(), torch::IntArrayRef({kNumClasses, 32 + 512}));

  // Stripping "s2_encoder." gives exactly a torchvision ResNet-18 without fc.
  std::set<std::string> stripped;
  for (const auto& item : params) {
    if (item.key().rfind("s2_encoder.", 0) == 0) stripped.insert(item.key().substr(11));
  }
  std::set<std::string> resnet_keys;
  for (const auto& item : ResNet(ResNetOptions(18).in_channels(12))->named_parameters()) {
    resnet_keys.insert(item.key());
  }
  EXPECT_EQ(stripped, resnet_keys);
}

TEST(DualStreamModel, DefaultOptionsBuildResNet18Streams) {
  DualStreamModel model(DualStreamModelOptions{});
  EXPECT_EQ(model->s1_feature_dim(), 512);
  EXPECT_EQ(model->s2_feature_dim(), 512);
  EXPECT_EQ(model->named_parameters()["s1_encoder.conv1.weight"].sizes(),
            torch::IntArrayRef({64, 2, 7, 7}));
  EXPECT_EQ(model->named_parameters()["s2_encoder.conv1.weight"].sizes(),
            torch::IntArrayRef({64, 12, 7, 7}));
}

TEST(DualStreamModel, TrainingStepReachesBothEncoders) {
  DualStreamModel model(SmallOptions());
  const DualStreamOutput out = model->forward(S1Batch(), S2Batch());
  const torch::Tensor loss = out.fused_logits.sum() + out.s1_embedding.sum() +
                             out.s2_embedding.sum() + out.s1_logits.sum() + out.s2_logits.sum();
  loss.backward();
  for (const auto& item : model->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
  }
}

TEST(DualStreamModel, RejectsModelWithoutStreams) {
  const std::string message =
      ErrorMessageOf([] { DualStreamModel(SmallOptions().s1_encoder("").s2_encoder("")); });
  EXPECT_TRUE(Contains(message, "no streams")) << message;
}

TEST(DualStreamModel, RejectsUnknownEncoder) {
  const std::string message =
      ErrorMessageOf([] { DualStreamModel(SmallOptions().s2_encoder("resnet152")); });
  EXPECT_TRUE(Contains(message, "s2_encoder 'resnet152' is unknown")) << message;
}

TEST(DualStreamModel, RejectsChannelMismatch) {
  DualStreamModel model(SmallOptions());
  std::string message = ErrorMessageOf([&] {
    model->forward(torch::randn({kBatch, 3, kSizePx, kSizePx}), S2Batch());
  });
  EXPECT_TRUE(Contains(message, "s1 input has 3 channels")) << message;
  EXPECT_TRUE(Contains(message, "expects 2")) << message;
  message = ErrorMessageOf([&] { model->EncodeS2(torch::randn({1, 13, kSizePx, kSizePx})); });
  EXPECT_TRUE(Contains(message, "s2 input has 13 channels")) << message;
}

TEST(DualStreamModel, RejectsInputForAbsentModality) {
  DualStreamModel model(SmallOptions().s1_encoder(""));
  std::string message = ErrorMessageOf([&] { model->forward(S1Batch(), S2Batch()); });
  EXPECT_TRUE(Contains(message, "model has no s1 stream")) << message;
  message = ErrorMessageOf([&] { model->EncodeS1(S1Batch()); });
  EXPECT_TRUE(Contains(message, "model has no s1 stream")) << message;
}

TEST(DualStreamModel, RejectsNoInput) {
  DualStreamModel model(SmallOptions());
  const std::string message =
      ErrorMessageOf([&] { model->forward(torch::Tensor(), torch::Tensor()); });
  EXPECT_TRUE(Contains(message, "no input given")) << message;
}

TEST(DualStreamModel, RejectsBatchMismatchAndWrongRank) {
  DualStreamModel model(SmallOptions());
  std::string message = ErrorMessageOf([&] { model->forward(S1Batch(2), S2Batch(3)); });
  EXPECT_TRUE(Contains(message, "different batch sizes (2 vs 3)")) << message;
  message = ErrorMessageOf([&] { model->forward(torch::randn({2, kSizePx, kSizePx}), {}); });
  EXPECT_TRUE(Contains(message, "s1 input must be 4-D")) << message;
}

TEST(DualStreamModel, PrettyPrintNamesEncoders) {
  std::ostringstream stream;
  DualStreamModel(SmallOptions().s1_encoder(""))->pretty_print(stream);
  EXPECT_TRUE(Contains(stream.str(), "s1_encoder=, s2_encoder=small_cnn")) << stream.str();
}

}  // namespace
}  // namespace mosaic::nn
