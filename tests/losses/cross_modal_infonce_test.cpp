#include "mosaic/losses/cross_modal_infonce.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "naive_losses.h"

namespace mosaic::losses {
namespace {

using testing::ExpectGradientsMatchFiniteDifferences;
using testing::ExpectRelativelyNear;
using testing::NaiveInfoNce;
using testing::RandomEmbeddings;
using testing::ToMatrix;
using testing::ValueAndGradientsFinite;

TEST(CrossModalInfoNce, MatchesNaiveLoop) {
  uint64_t seed = 100;
  for (double tau : {0.01, 0.1, 0.5, 1.0}) {
    for (int64_t n : {1, 2, 5, 9}) {
      const torch::Tensor s1 = RandomEmbeddings(n, 6, seed++);
      const torch::Tensor s2 = RandomEmbeddings(n, 6, seed++);
      const double got =
          CrossModalInfoNceLoss(s1, s2, CrossModalInfoNceOptions().temperature(tau)).item<double>();
      ExpectRelativelyNear(got, NaiveInfoNce(ToMatrix(s1), ToMatrix(s2), tau), 1e-5,
                           "tau=" + std::to_string(tau) + " n=" + std::to_string(n));
    }
  }
}

TEST(CrossModalInfoNce, MatchesNaiveLoopWithoutNormalization) {
  const torch::Tensor s1 = 0.5 * RandomEmbeddings(7, 4, 111);
  const torch::Tensor s2 = 0.5 * RandomEmbeddings(7, 4, 112);
  const auto options = CrossModalInfoNceOptions().temperature(0.5).normalize(false);
  ExpectRelativelyNear(CrossModalInfoNceLoss(s1, s2, options).item<double>(),
                       NaiveInfoNce(ToMatrix(s1), ToMatrix(s2), 0.5, /*normalize=*/false));
}

TEST(CrossModalInfoNce, IsSymmetricInTheModalities) {
  const torch::Tensor s1 = RandomEmbeddings(6, 5, 121);
  const torch::Tensor s2 = RandomEmbeddings(6, 5, 122);
  EXPECT_NEAR(CrossModalInfoNceLoss(s1, s2).item<double>(),
              CrossModalInfoNceLoss(s2, s1).item<double>(), 1e-12);
}

TEST(CrossModalInfoNce, GradientMatchesFiniteDifferences) {
  for (double tau : {0.05, 0.1, 0.5, 1.0}) {
    SCOPED_TRACE("tau=" + std::to_string(tau));
    ExpectGradientsMatchFiniteDifferences(
        [tau](const std::vector<torch::Tensor>& x) {
          return CrossModalInfoNceLoss(x[0], x[1], CrossModalInfoNceOptions().temperature(tau));
        },
        {RandomEmbeddings(4, 3, 131), RandomEmbeddings(4, 3, 132)});
  }
}

// Orthogonal locations, each modality equal to the other: logits = I / tau, so
// every row's CE is log(1 + e^{-1/tau}).
TEST(CrossModalInfoNce, HandComputedOrthogonalPairs) {
  const torch::Tensor z = torch::eye(2, torch::kDouble);
  for (double tau : {0.1, 0.5, 1.0}) {
    EXPECT_NEAR(
        CrossModalInfoNceLoss(z, z, CrossModalInfoNceOptions().temperature(tau)).item<double>(),
        std::log(1.0 + std::exp(-1.0 / tau)), 1e-12);
  }
}

// All embeddings identical: the positive is one of N equal candidates.
TEST(CrossModalInfoNce, HandComputedIdenticalEmbeddingsGiveLogN) {
  const torch::Tensor z = torch::ones({4, 3}, torch::kDouble);
  EXPECT_NEAR(CrossModalInfoNceLoss(z, z).item<double>(), std::log(4.0), 1e-12);
}

TEST(CrossModalInfoNce, SingleLocationIsZeroWithFiniteGradients) {
  torch::Tensor s1 = RandomEmbeddings(1, 4, 141).requires_grad_(true);
  torch::Tensor s2 = RandomEmbeddings(1, 4, 142).requires_grad_(true);
  const torch::Tensor loss =
      CrossModalInfoNceLoss(s1, s2, CrossModalInfoNceOptions().temperature(0.01));
  EXPECT_NEAR(loss.item<double>(), 0.0, 1e-12);
  EXPECT_TRUE(ValueAndGradientsFinite(loss, {s1, s2}));
}

TEST(CrossModalInfoNce, StableAtLowTemperatureWithDuplicatesAndBatchOfTwo) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    torch::Tensor s1 = torch::ones({2, 8}, dtype).requires_grad_(true);  // duplicates
    torch::Tensor s2 = torch::ones({2, 8}, dtype).requires_grad_(true);
    const torch::Tensor loss =
        CrossModalInfoNceLoss(s1, s2, CrossModalInfoNceOptions().temperature(0.01));
    EXPECT_NEAR(loss.item<double>(), std::log(2.0), 1e-5);
    EXPECT_TRUE(ValueAndGradientsFinite(loss, {s1, s2}));
  }
}

TEST(CrossModalInfoNce, RejectsBadInput) {
  const torch::Tensor z = RandomEmbeddings(4, 3, 151);
  EXPECT_THROW(CrossModalInfoNceLoss(z, RandomEmbeddings(4, 5, 152)), c10::Error);
  EXPECT_THROW(CrossModalInfoNceLoss(z, RandomEmbeddings(3, 3, 153)), c10::Error);
  EXPECT_THROW(CrossModalInfoNceLoss(torch::Tensor(), z), c10::Error);
  EXPECT_THROW(CrossModalInfoNceLoss(z, z, CrossModalInfoNceOptions().temperature(-1.0)),
               c10::Error);
  EXPECT_THROW(CrossModalInfoNceLoss(z.slice(0, 0, 0), z.slice(0, 0, 0)), c10::Error);
}

}  // namespace
}  // namespace mosaic::losses
