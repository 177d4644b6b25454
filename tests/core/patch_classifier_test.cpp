#include "mosaic/patch_classifier.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "mosaic/model_bundle.h"
#include "mosaic/model_factory.h"
#include "testing/manifests.h"
#include "testing/temp_dir.h"

namespace mosaic {
namespace {

using testing::TempDir;
using testing::TinyManifest;

class PatchClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("model.mosaic");
    ASSERT_TRUE(WriteInitializedBundle(path_, TinyManifest(), 11).ok());
    torch::manual_seed(5);
    // Inputs in physical units: S1 in dB, S2 reflectance x10000.
    s1_ = (torch::randn({2, 2, 16, 16}) * 4 - 15).contiguous();
    s2_ = (torch::rand({2, 4, 16, 16}) * 3000).contiguous();
  }

  PatchBatch Batch(bool with_s1, bool with_s2) const {
    PatchBatch batch;
    batch.count = 2;
    batch.height = batch.width = 16;
    batch.s1 = with_s1 ? s1_.data_ptr<float>() : nullptr;
    batch.s2 = with_s2 ? s2_.data_ptr<float>() : nullptr;
    return batch;
  }

  // The probabilities computed by hand: normalise with the manifest's
  // statistics, run the model, apply the sigmoid.
  torch::Tensor Expected(const std::string& head) const {
    LoadedModel loaded = *LoadModelBundle(path_);
    const ModelManifest& m = loaded.manifest;
    auto norm = [](const torch::Tensor& x, const BandNormalization& n) {
      auto mean = torch::tensor(n.mean).to(torch::kFloat32).view({1, -1, 1, 1});
      auto std = torch::tensor(n.std).to(torch::kFloat32).view({1, -1, 1, 1});
      return (x - mean) / std;
    };
    torch::NoGradGuard no_grad;
    torch::Tensor s1 = head == "s2" ? torch::Tensor() : norm(s1_, m.s1.normalization);
    torch::Tensor s2 = head == "s1" ? torch::Tensor() : norm(s2_, m.s2.normalization);
    nn::DualStreamOutput out = loaded.model->forward(s1, s2);
    torch::Tensor logits = head == "fused" ? out.fused_logits
                           : head == "s1"  ? out.s1_logits
                                           : out.s2_logits;
    return torch::sigmoid(logits);
  }

  void ExpectMatches(const std::vector<float>& probs, const torch::Tensor& expected) {
    ASSERT_EQ(static_cast<int64_t>(probs.size()), expected.numel());
    const torch::Tensor got = torch::tensor(probs).view(expected.sizes());
    EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-6))
        << "max diff " << (got - expected).abs().max().item<float>();
  }

  TempDir dir_;
  std::string path_;
  torch::Tensor s1_, s2_;
};

TEST_F(PatchClassifierTest, FusedHeadAppliesManifestNormalisation) {
  auto classifier = PatchClassifier::Open(path_);
  ASSERT_TRUE(classifier.ok()) << classifier.status().ToString();
  EXPECT_EQ((*classifier)->device(), "cpu");
  std::vector<float> probs;
  ASSERT_TRUE((*classifier)->Classify(Batch(true, true), HeadChoice::kAuto, &probs).ok());
  ExpectMatches(probs, Expected("fused"));
  for (float p : probs) {
    EXPECT_GT(p, 0.0f);
    EXPECT_LT(p, 1.0f);
  }
}

TEST_F(PatchClassifierTest, SingleModalityHeadsWorkWhenTheOtherIsMissing) {
  std::unique_ptr<PatchClassifier> classifier = PatchClassifier::Open(path_).value();
  std::vector<float> probs;
  ASSERT_TRUE(classifier->Classify(Batch(true, false), HeadChoice::kAuto, &probs).ok());
  ExpectMatches(probs, Expected("s1"));
  ASSERT_TRUE(classifier->Classify(Batch(false, true), HeadChoice::kAuto, &probs).ok());
  ExpectMatches(probs, Expected("s2"));
  // Both given but the S1 head asked for (e.g. cloudy S2): S2 is ignored.
  ASSERT_TRUE(classifier->Classify(Batch(true, true), HeadChoice::kS1, &probs).ok());
  ExpectMatches(probs, Expected("s1"));
}

// The scene engine normalises while it copies patches out of its windows and
// sets `normalized`; the classifier must then give exactly what it gives for
// the raw values, and must not normalise a second time.
TEST_F(PatchClassifierTest, PreNormalisedBatchGivesTheSameProbabilities) {
  std::unique_ptr<PatchClassifier> classifier = PatchClassifier::Open(path_).value();
  const ModelManifest& m = classifier->manifest();
  auto normalise = [](const torch::Tensor& x, const BandNormalization& n) {
    torch::Tensor out = x.clone();
    float* v = out.data_ptr<float>();
    const int64_t plane = x.size(2) * x.size(3);
    for (int64_t i = 0; i < x.numel(); ++i) {
      const size_t band = static_cast<size_t>((i / plane) % x.size(1));
      v[i] = (v[i] - static_cast<float>(n.mean[band])) / static_cast<float>(n.std[band]);
    }
    return out;
  };
  const torch::Tensor s1 = normalise(s1_, m.s1.normalization);
  const torch::Tensor s2 = normalise(s2_, m.s2.normalization);
  std::vector<float> raw, pre, twice;
  ASSERT_TRUE(classifier->Classify(Batch(true, true), HeadChoice::kFused, &raw).ok());
  PatchBatch batch = Batch(true, true);
  batch.s1 = s1.data_ptr<float>();
  batch.s2 = s2.data_ptr<float>();
  batch.normalized = true;
  ASSERT_TRUE(classifier->Classify(batch, HeadChoice::kFused, &pre).ok());
  EXPECT_EQ(pre, raw);
  batch.normalized = false;  // normalising the normalised values is another input
  ASSERT_TRUE(classifier->Classify(batch, HeadChoice::kFused, &twice).ok());
  EXPECT_NE(twice, raw);
}

TEST_F(PatchClassifierTest, RejectsNonFiniteInput) {
  std::unique_ptr<PatchClassifier> classifier = PatchClassifier::Open(path_).value();
  s2_[1][2][3][4] = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> probs;
  Status status = classifier->Classify(Batch(true, true), HeadChoice::kAuto, &probs);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("Sentinel-2"), std::string::npos) << status.message();
}

TEST_F(PatchClassifierTest, RejectsHeadWithoutItsInput) {
  std::unique_ptr<PatchClassifier> classifier = PatchClassifier::Open(path_).value();
  std::vector<float> probs;
  EXPECT_EQ(classifier->Classify(Batch(false, true), HeadChoice::kFused, &probs).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(classifier->Classify(Batch(false, false), HeadChoice::kAuto, &probs).code(),
            StatusCode::kInvalidArgument);
  PatchBatch tiny = Batch(true, true);
  tiny.height = 4;
  EXPECT_EQ(classifier->Classify(tiny, HeadChoice::kAuto, &probs).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(PatchClassifierTest, DeviceErrorsAreClear) {
  ClassifierOptions options;
  options.device = "tpu";
  auto bad = PatchClassifier::Open(path_, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected cpu, cuda or cuda:N"), std::string::npos);
  if (!torch::cuda::is_available()) {
    options.device = "cuda";
    auto cuda = PatchClassifier::Open(path_, options);
    ASSERT_FALSE(cuda.ok());
    EXPECT_EQ(cuda.status().code(), StatusCode::kUnsupported);
  }
}

TEST(PatchClassifier, MissingBundleNamesTheFile) {
  auto classifier = PatchClassifier::Open("/nonexistent/model.mosaic");
  ASSERT_FALSE(classifier.ok());
  EXPECT_EQ(classifier.status().code(), StatusCode::kNotFound);
  EXPECT_NE(classifier.status().message().find("/nonexistent/model.mosaic"), std::string::npos);
}

TEST(PatchClassifier, ParseHeadChoice) {
  EXPECT_EQ(*ParseHeadChoice("s1"), HeadChoice::kS1);
  EXPECT_EQ(*ParseHeadChoice("fused"), HeadChoice::kFused);
  EXPECT_FALSE(ParseHeadChoice("both").ok());
}

}  // namespace
}  // namespace mosaic
