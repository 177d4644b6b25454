// PatchClassifier with ClassifierOptions::precision (bf16/fp16 autocast on
// CUDA). The CUDA comparisons are skipped without a GPU.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "mosaic/model_bundle.h"
#include "mosaic/model_factory.h"
#include "mosaic/patch_classifier.h"
#include "testing/manifests.h"
#include "testing/temp_dir.h"

namespace mosaic {
namespace {

class PatchClassifierPrecision : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("model.mosaic");
    ASSERT_TRUE(WriteInitializedBundle(path_, testing::TinyManifest(), 11).ok());
    torch::manual_seed(7);
    s1_ = (torch::randn({4, 2, 16, 16}) * 4 - 15).contiguous();
    s2_ = (torch::rand({4, 4, 16, 16}) * 3000).contiguous();
  }

  PatchBatch Batch() const {
    PatchBatch batch;
    batch.count = 4;
    batch.height = batch.width = 16;
    batch.s1 = s1_.data_ptr<float>();
    batch.s2 = s2_.data_ptr<float>();
    return batch;
  }

  StatusOr<std::unique_ptr<PatchClassifier>> Open(const std::string& device,
                                                  const std::string& precision) const {
    ClassifierOptions options;
    options.device = device;
    options.precision = precision;
    return PatchClassifier::Open(path_, options);
  }

  testing::TempDir dir_;
  std::string path_;
  torch::Tensor s1_, s2_;
};

TEST_F(PatchClassifierPrecision, MixedPrecisionOnCpuIsRefused) {
  for (const std::string precision : {"bf16", "fp16"}) {
    auto classifier = Open("cpu", precision);
    ASSERT_FALSE(classifier.ok()) << precision;
    EXPECT_EQ(classifier.status().code(), StatusCode::kInvalidArgument);
    const std::string& message = classifier.status().message();
    EXPECT_NE(message.find("precision " + precision), std::string::npos) << message;
    EXPECT_NE(message.find("needs a CUDA device"), std::string::npos) << message;
  }
  auto unknown = Open("cpu", "int8");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("precision"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("'int8'"), std::string::npos);
}

TEST_F(PatchClassifierPrecision, ExplicitFp32MatchesTheDefault) {
  auto fp32 = Open("cpu", "fp32");
  ASSERT_TRUE(fp32.ok()) << fp32.status().ToString();
  auto plain = PatchClassifier::Open(path_);
  ASSERT_TRUE(plain.ok());
  std::vector<float> a, b;
  ASSERT_TRUE((*fp32)->Classify(Batch(), HeadChoice::kAuto, &a).ok());
  ASSERT_TRUE((*plain)->Classify(Batch(), HeadChoice::kAuto, &b).ok());
  EXPECT_EQ(a, b);
}

// Mixed-precision probabilities and embeddings agree with fp32 on the GPU.
void ExpectCloseToFp32(const PatchClassifier& fp32, const PatchClassifier& mixed,
                       const PatchBatch& batch, HeadChoice head, float tolerance) {
  std::vector<float> probs32, probs16, emb32, emb16;
  ASSERT_TRUE(fp32.Infer(batch, head, &probs32, &emb32).ok());
  const Status status = mixed.Infer(batch, head, &probs16, &emb16);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(probs16.size(), probs32.size());
  ASSERT_EQ(emb16.size(), emb32.size());
  float max_diff = 0.0f;
  for (size_t i = 0; i < probs32.size(); ++i) {
    ASSERT_TRUE(std::isfinite(probs16[i]));
    max_diff = std::max(max_diff, std::abs(probs16[i] - probs32[i]));
  }
  EXPECT_LT(max_diff, tolerance);
  float max_emb_diff = 0.0f;
  for (size_t i = 0; i < emb32.size(); ++i) {
    max_emb_diff = std::max(max_emb_diff, std::abs(emb16[i] - emb32[i]));
  }
  EXPECT_LT(max_emb_diff, 5 * tolerance);
}

TEST_F(PatchClassifierPrecision, Bf16AndFp16AgreeWithFp32OnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto fp32 = Open("cuda", "fp32");
  auto bf16 = Open("cuda", "bf16");
  auto fp16 = Open("cuda", "fp16");
  ASSERT_TRUE(fp32.ok()) << fp32.status().ToString();
  ASSERT_TRUE(bf16.ok()) << bf16.status().ToString();
  ASSERT_TRUE(fp16.ok()) << fp16.status().ToString();
  for (HeadChoice head : {HeadChoice::kAuto, HeadChoice::kS1, HeadChoice::kS2}) {
    ExpectCloseToFp32(**fp32, **bf16, Batch(), head, 2e-2f);
    ExpectCloseToFp32(**fp32, **fp16, Batch(), head, 5e-3f);
  }
}

}  // namespace
}  // namespace mosaic
