#include "mosaic/losses/nt_xent.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "naive_losses.h"

namespace mosaic::losses {
namespace {

using testing::ExpectGradientsMatchFiniteDifferences;
using testing::ExpectRelativelyNear;
using testing::NaiveNtXent;
using testing::RandomEmbeddings;
using testing::ToMatrix;
using testing::ValueAndGradientsFinite;

TEST(NtXent, MatchesNaiveLoop) {
  uint64_t seed = 1;
  for (double tau : {0.01, 0.1, 0.5, 1.0}) {
    for (int64_t n : {1, 2, 5, 9}) {
      const torch::Tensor v1 = RandomEmbeddings(n, 6, seed++);
      const torch::Tensor v2 = RandomEmbeddings(n, 6, seed++);
      const double got = NtXentLoss(v1, v2, NtXentOptions().temperature(tau)).item<double>();
      ExpectRelativelyNear(got, NaiveNtXent(ToMatrix(v1), ToMatrix(v2), tau), 1e-5,
                           "tau=" + std::to_string(tau) + " n=" + std::to_string(n));
    }
  }
}

TEST(NtXent, MatchesNaiveLoopWithoutNormalization) {
  const torch::Tensor v1 = 0.5 * RandomEmbeddings(6, 4, 11);
  const torch::Tensor v2 = 0.5 * RandomEmbeddings(6, 4, 12);
  const double got =
      NtXentLoss(v1, v2, NtXentOptions().temperature(0.5).normalize(false)).item<double>();
  ExpectRelativelyNear(got, NaiveNtXent(ToMatrix(v1), ToMatrix(v2), 0.5, /*normalize=*/false));
}

TEST(NtXent, Float32AgreesWithFloat64) {
  const torch::Tensor v1 = RandomEmbeddings(8, 16, 3);
  const torch::Tensor v2 = RandomEmbeddings(8, 16, 4);
  const auto options = NtXentOptions().temperature(0.1);
  EXPECT_NEAR(NtXentLoss(v1.to(torch::kFloat), v2.to(torch::kFloat), options).item<double>(),
              NtXentLoss(v1, v2, options).item<double>(), 1e-4);
}

TEST(NtXent, GradientMatchesFiniteDifferences) {
  for (double tau : {0.05, 0.1, 0.5, 1.0}) {
    SCOPED_TRACE("tau=" + std::to_string(tau));
    ExpectGradientsMatchFiniteDifferences(
        [tau](const std::vector<torch::Tensor>& x) {
          return NtXentLoss(x[0], x[1], NtXentOptions().temperature(tau));
        },
        {RandomEmbeddings(4, 3, 21), RandomEmbeddings(4, 3, 22)});
  }
}

// Two samples, e1 and e2, each view identical to the other: every anchor has
// similarity 1/tau to its positive and 0 to the two others, so
// loss = -log(e^{1/t} / (e^{1/t} + 2)) = log(1 + 2 e^{-1/t}).
TEST(NtXent, HandComputedOrthogonalPairs) {
  const torch::Tensor v = torch::eye(2, torch::kDouble);
  for (double tau : {0.1, 0.5, 1.0}) {
    EXPECT_NEAR(NtXentLoss(v, v, NtXentOptions().temperature(tau)).item<double>(),
                std::log(1.0 + 2.0 * std::exp(-1.0 / tau)), 1e-12);
  }
}

// All 2N embeddings identical: the positive is one of 2N - 1 equal candidates.
TEST(NtXent, HandComputedIdenticalEmbeddings) {
  const torch::Tensor v = torch::ones({3, 4}, torch::kDouble);
  EXPECT_NEAR(NtXentLoss(v, v).item<double>(), std::log(5.0), 1e-12);
}

// Batch of one sample (two rows): the positive is the only candidate.
TEST(NtXent, SingleSampleIsZeroWithFiniteGradients) {
  torch::Tensor v1 = RandomEmbeddings(1, 5, 31).requires_grad_(true);
  torch::Tensor v2 = RandomEmbeddings(1, 5, 32).requires_grad_(true);
  const torch::Tensor loss = NtXentLoss(v1, v2, NtXentOptions().temperature(0.01));
  EXPECT_NEAR(loss.item<double>(), 0.0, 1e-12);
  EXPECT_TRUE(ValueAndGradientsFinite(loss, {v1, v2}));
}

TEST(NtXent, StableAtLowTemperatureWithDuplicates) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    torch::Tensor v1 = RandomEmbeddings(4, 8, 41).to(dtype);
    v1[1] = v1[0];                                       // duplicate sample
    torch::Tensor v2 = v1.clone().requires_grad_(true);  // identical views
    v1.requires_grad_(true);
    const torch::Tensor loss = NtXentLoss(v1, v2, NtXentOptions().temperature(0.01));
    EXPECT_TRUE(ValueAndGradientsFinite(loss, {v1, v2}));
    // Anchors 0/1 and their views see three candidates at 1/tau: log 3 for 4 of 8 anchors.
    EXPECT_NEAR(loss.item<double>(), 0.5 * std::log(3.0), 1e-3);
  }
}

TEST(NtXent, RejectsBadInput) {
  const torch::Tensor v = RandomEmbeddings(4, 3, 51);
  EXPECT_THROW(NtXentLoss(v, RandomEmbeddings(5, 3, 52)), c10::Error);
  EXPECT_THROW(NtXentLoss(v, torch::Tensor()), c10::Error);
  EXPECT_THROW(NtXentLoss(v.view({-1}), v.view({-1})), c10::Error);
  EXPECT_THROW(NtXentLoss(v, v.to(torch::kFloat)), c10::Error);
  EXPECT_THROW(NtXentLoss(v.slice(0, 0, 0), v.slice(0, 0, 0)), c10::Error);
  EXPECT_THROW(NtXentLoss(v, v, NtXentOptions().temperature(0.0)), c10::Error);
  EXPECT_THROW(NtXentLoss(v.to(torch::kLong), v.to(torch::kLong)), c10::Error);
}

}  // namespace
}  // namespace mosaic::losses
