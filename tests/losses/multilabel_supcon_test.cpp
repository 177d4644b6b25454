#include "mosaic/losses/multilabel_supcon.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "naive_losses.h"

namespace mosaic::losses {
namespace {

using testing::ExpectGradientsMatchFiniteDifferences;
using testing::ExpectRelativelyNear;
using testing::NaiveMultiLabelSupCon;
using testing::NaiveWeightedSupCon;
using testing::RandomEmbeddings;
using testing::RandomLabels;
using testing::ToMask;
using testing::ToMatrix;
using testing::ValueAndGradientsFinite;

const LabelSimilarity kAllKinds[] = {LabelSimilarity::kJaccard, LabelSimilarity::kAnyOverlap,
                                     LabelSimilarity::kExactMatch};

torch::Tensor Labels(std::initializer_list<double> values, int64_t classes) {
  return torch::tensor(std::vector<double>(values), torch::kDouble).view({-1, classes});
}

TEST(MultiLabelSupCon, MatchesNaiveLoop) {
  uint64_t seed = 200;
  for (auto kind : kAllKinds) {
    for (double tau : {0.01, 0.1, 0.5, 1.0}) {
      for (bool with_unlabelled : {false, true}) {
        const int64_t m = 12;
        const torch::Tensor z = RandomEmbeddings(m, 5, seed++);
        // Few classes, so every kind has positives; some sets are empty.
        const torch::Tensor y = RandomLabels(m, 3, seed++, 0.4);
        torch::Tensor labelled;
        if (with_unlabelled) {
          torch::manual_seed(seed++);
          labelled = torch::rand({m}) < 0.6;
        }
        const auto options = MultiLabelSupConOptions().temperature(tau).similarity(kind);
        const double got = MultiLabelSupConLoss(z, y, options, labelled).item<double>();
        const double want = NaiveMultiLabelSupCon(ToMatrix(z), ToMatrix(y), ToMask(labelled, m),
                                                  LabelSimilarityName(kind), tau);
        EXPECT_GT(want, 0.0);  // the batch has real anchors
        ExpectRelativelyNear(got, want, 1e-5,
                             LabelSimilarityName(kind) + " tau=" + std::to_string(tau) +
                                 " unlabelled=" + std::to_string(with_unlabelled));
      }
    }
  }
}

TEST(MultiLabelSupCon, MatchesNaiveLoopWithoutNormalization) {
  const torch::Tensor z = 0.5 * RandomEmbeddings(9, 4, 210);
  const torch::Tensor y = RandomLabels(9, 3, 211, 0.5);
  const auto options = MultiLabelSupConOptions().temperature(0.5).normalize(false);
  ExpectRelativelyNear(MultiLabelSupConLoss(z, y, options).item<double>(),
                       NaiveMultiLabelSupCon(ToMatrix(z), ToMatrix(y), std::vector<bool>(9, true),
                                             "jaccard", 0.5, /*normalize=*/false));
}

TEST(WeightedSupCon, MatchesNaiveLoopWithSoftWeightsAndCandidates) {
  const int64_t m = 10;
  const torch::Tensor z = RandomEmbeddings(m, 4, 220);
  torch::manual_seed(221);
  const torch::Tensor w = torch::rand({m, m}, torch::kDouble) *
                          (torch::rand({m, m}, torch::kDouble) < 0.5).to(torch::kDouble);
  const torch::Tensor candidates = torch::rand({m, m}) < 0.7;
  const auto wm = ToMatrix(w);
  const auto cm = ToMatrix(candidates.to(torch::kDouble));
  for (double tau : {0.01, 0.1, 0.5, 1.0}) {
    const auto options = MultiLabelSupConOptions().temperature(tau);
    ExpectRelativelyNear(WeightedSupConLoss(z, w, options).item<double>(),
                         NaiveWeightedSupCon(
                             ToMatrix(z), [&](size_t i, size_t j) { return wm[i][j]; }, tau));
    ExpectRelativelyNear(WeightedSupConLoss(z, w, options, candidates).item<double>(),
                         NaiveWeightedSupCon(
                             ToMatrix(z), [&](size_t i, size_t j) { return wm[i][j]; }, tau, true,
                             [&](size_t i, size_t j) { return cm[i][j] > 0.5; }));
  }
}

TEST(MultiLabelSupCon, GradientMatchesFiniteDifferences) {
  const torch::Tensor y = RandomLabels(7, 3, 230, 0.45);
  const torch::Tensor labelled =
      torch::tensor({true, true, false, true, true, false, true}, torch::kBool);
  for (auto kind : kAllKinds) {
    for (double tau : {0.05, 0.1, 0.5, 1.0}) {
      SCOPED_TRACE(LabelSimilarityName(kind) + " tau=" + std::to_string(tau));
      for (const torch::Tensor& mask : {torch::Tensor(), labelled}) {
        // Guard against a vacuous check: the batch must have real anchors.
        EXPECT_GT(MultiLabelSupConLoss(RandomEmbeddings(7, 3, 231), y,
                                       MultiLabelSupConOptions().similarity(kind), mask)
                      .item<double>(),
                  0.0);
        ExpectGradientsMatchFiniteDifferences(
            [&](const std::vector<torch::Tensor>& x) {
              return MultiLabelSupConLoss(
                  x[0], y, MultiLabelSupConOptions().temperature(tau).similarity(kind), mask);
            },
            {RandomEmbeddings(7, 3, 231)});
      }
    }
  }
}

TEST(WeightedSupCon, GradientMatchesFiniteDifferencesWithCandidates) {
  torch::manual_seed(240);
  const torch::Tensor w = torch::rand({6, 6}, torch::kDouble);
  const torch::Tensor candidates = torch::rand({6, 6}) < 0.6;
  ExpectGradientsMatchFiniteDifferences(
      [&](const std::vector<torch::Tensor>& x) {
        return WeightedSupConLoss(x[0], w, MultiLabelSupConOptions().temperature(0.2), candidates);
      },
      {RandomEmbeddings(6, 3, 241)});
}

// Two samples sharing a label: each anchor's softmax has one candidate, its positive.
TEST(MultiLabelSupCon, HandComputedTwoSamplesIsZero) {
  const torch::Tensor z = torch::eye(2, torch::kDouble);  // orthogonal
  EXPECT_NEAR(MultiLabelSupConLoss(z, Labels({1., 0., 1., 1.}, 2)).item<double>(), 0.0, 1e-12);
}

// Identical embeddings, labels {a}, {a}, {b}: anchors 0 and 1 have one positive
// among two equal candidates (log 2 each); anchor 2 has none and is skipped, so
// the mean is log 2 (it would be 2/3 log 2 if the skipped anchor counted).
TEST(MultiLabelSupCon, HandComputedSkippedAnchorDoesNotCount) {
  const torch::Tensor z = torch::ones({3, 4}, torch::kDouble);
  const torch::Tensor y = Labels({1., 0., 1., 0., 0., 1.}, 2);
  for (auto kind : kAllKinds) {
    EXPECT_NEAR(
        MultiLabelSupConLoss(z, y, MultiLabelSupConOptions().similarity(kind)).item<double>(),
        std::log(2.0), 1e-12)
        << LabelSimilarityName(kind);
  }
}

// z0 = z1 = e1, z2 = e2; labels {a,b}, {a}, {b}. Jaccard: w01 = w02 = 1/2, w12 = 0.
//   anchor 0: -(1/2 log p01 + 1/2 log p02) / 1 = log(e^{1/t} + 1) - 1/(2t)
//   anchor 1: -(1/2 log p10) / (1/2)           = log(1 + e^{-1/t})
//   anchor 2: -(1/2 log p20) / (1/2)           = log 2   (both candidates at 0)
TEST(MultiLabelSupCon, HandComputedJaccardWeights) {
  const torch::Tensor z = torch::tensor({1., 0., 1., 0., 0., 1.}, torch::kDouble).view({3, 2});
  const torch::Tensor y = Labels({1., 1., 1., 0., 0., 1.}, 2);
  for (double t : {0.1, 0.5, 1.0}) {
    const double want = (std::log(std::exp(1.0 / t) + 1.0) - 0.5 / t +
                         std::log(1.0 + std::exp(-1.0 / t)) + std::log(2.0)) /
                        3.0;
    EXPECT_NEAR(MultiLabelSupConLoss(z, y, MultiLabelSupConOptions().temperature(t)).item<double>(),
                want, 1e-12);
  }
}

// Labels {a,b}, {a}, {b} under exact-match: no two sets are identical, so no
// anchor has a positive and the loss is a zero that still backpropagates.
TEST(MultiLabelSupCon, NoPositiveAnywhereIsConnectedZero) {
  torch::Tensor z = RandomEmbeddings(3, 2, 250).requires_grad_(true);
  const torch::Tensor y = Labels({1., 1., 1., 0., 0., 1.}, 2);
  const torch::Tensor loss = MultiLabelSupConLoss(
      z, y, MultiLabelSupConOptions().similarity(LabelSimilarity::kExactMatch).temperature(0.01));
  EXPECT_EQ(loss.dim(), 0);
  EXPECT_EQ(loss.item<double>(), 0.0);
  ASSERT_TRUE(loss.requires_grad());
  loss.backward();
  EXPECT_TRUE(torch::equal(z.grad(), torch::zeros_like(z)));
}

TEST(MultiLabelSupCon, AllUnlabelledBatchIsConnectedZero) {
  torch::Tensor z = RandomEmbeddings(5, 3, 260).requires_grad_(true);
  const torch::Tensor y = RandomLabels(5, 3, 261);
  const torch::Tensor loss =
      MultiLabelSupConLoss(z, y, MultiLabelSupConOptions(), torch::zeros({5}, torch::kBool));
  EXPECT_EQ(loss.item<double>(), 0.0);
  loss.backward();
  EXPECT_TRUE(torch::equal(z.grad(), torch::zeros_like(z)));
}

TEST(MultiLabelSupCon, EmptyLabelSetsAreSkippedAndFinite) {
  torch::Tensor z = RandomEmbeddings(4, 3, 270).requires_grad_(true);
  // Two empty sets (similarity 0 to everything, each other included) and a pair {a}, {a}.
  const torch::Tensor y = Labels({0., 0., 0., 0., 1., 0., 1., 0.}, 2);
  for (auto kind : kAllKinds) {
    const auto options = MultiLabelSupConOptions().similarity(kind).temperature(0.01);
    const torch::Tensor loss = MultiLabelSupConLoss(z, y, options);
    EXPECT_TRUE(ValueAndGradientsFinite(loss, {z}));
    ExpectRelativelyNear(loss.item<double>(),
                         NaiveMultiLabelSupCon(ToMatrix(z), ToMatrix(y), std::vector<bool>(4, true),
                                               LabelSimilarityName(kind), 0.01));
    // Only empty sets: no anchor at all.
    const torch::Tensor none = MultiLabelSupConLoss(z, torch::zeros({4, 2}), options);
    EXPECT_EQ(none.item<double>(), 0.0);
    EXPECT_TRUE(ValueAndGradientsFinite(none, {z}));
  }
}

TEST(MultiLabelSupCon, StableAtLowTemperatureWithDuplicatesAndBatchOfTwo) {
  for (auto dtype : {torch::kFloat, torch::kDouble}) {
    // Duplicates: every embedding identical, labels overlapping.
    torch::Tensor dup = torch::ones({6, 8}, dtype).requires_grad_(true);
    const torch::Tensor y = RandomLabels(6, 3, 280, 0.5).to(dtype);
    const auto options = MultiLabelSupConOptions().temperature(0.01);
    EXPECT_TRUE(ValueAndGradientsFinite(MultiLabelSupConLoss(dup, y, options), {dup}));
    // Batch of two, opposite embeddings, shared label: one candidate each -> 0.
    torch::Tensor two = torch::tensor({1., 0., -1., 0.}, dtype).view({2, 2}).requires_grad_(true);
    const torch::Tensor loss2 = MultiLabelSupConLoss(two, torch::ones({2, 1}, dtype), options);
    EXPECT_TRUE(ValueAndGradientsFinite(loss2, {two}));
    EXPECT_NEAR(loss2.item<double>(), 0.0, 1e-6);
    // A single labelled row (others unlabelled): no pair, connected zero.
    torch::Tensor three = torch::randn({3, 4}, dtype).requires_grad_(true);
    const torch::Tensor loss1 = MultiLabelSupConLoss(three, torch::ones({3, 1}, dtype), options,
                                                     torch::tensor({false, true, false}));
    EXPECT_EQ(loss1.item<double>(), 0.0);
    EXPECT_TRUE(ValueAndGradientsFinite(loss1, {three}));
  }
}

// A labelled sample without positive partner is skipped but still a negative:
// the loss equals the naive mean over the real anchors only.
TEST(MultiLabelSupCon, LabelledSampleWithoutPartnerIsOnlyANegative) {
  torch::Tensor z = RandomEmbeddings(5, 3, 290).requires_grad_(true);
  const torch::Tensor y = Labels({1., 0., 0., 1., 0., 0., 0., 1., 0., 0., 1., 0., 0., 0., 1.}, 3);
  const torch::Tensor loss =
      MultiLabelSupConLoss(z, y, MultiLabelSupConOptions().temperature(0.01));
  EXPECT_TRUE(ValueAndGradientsFinite(loss, {z}));
  ExpectRelativelyNear(
      loss.item<double>(),
      NaiveMultiLabelSupCon(ToMatrix(z), ToMatrix(y), std::vector<bool>(5, true), "jaccard", 0.01));
}

TEST(MultiLabelSupCon, UnlabelledRowsTakeNoPart) {
  const torch::Tensor z = RandomEmbeddings(6, 3, 300);
  const torch::Tensor y = RandomLabels(6, 2, 301, 0.6);
  const torch::Tensor labelled = torch::tensor({true, false, true, true, false, true});
  const torch::Tensor keep = torch::tensor({0, 2, 3, 5}, torch::kLong);
  EXPECT_NEAR(MultiLabelSupConLoss(z, y, {}, labelled).item<double>(),
              MultiLabelSupConLoss(z.index_select(0, keep), y.index_select(0, keep)).item<double>(),
              1e-12);
  // Garbage (NaN) labels and embeddings of unlabelled rows change nothing.
  torch::Tensor z_nan = z.clone(), y_nan = y.clone();
  z_nan[1] = std::nan("");
  y_nan[4] = std::nan("");
  EXPECT_NEAR(MultiLabelSupConLoss(z_nan, y_nan, {}, labelled).item<double>(),
              MultiLabelSupConLoss(z, y, {}, labelled).item<double>(), 1e-12);
}

TEST(MultiLabelSupCon, RejectsBadInput) {
  const torch::Tensor z = RandomEmbeddings(4, 3, 310);
  const torch::Tensor y = RandomLabels(4, 2, 311);
  EXPECT_THROW(MultiLabelSupConLoss(z, RandomLabels(5, 2, 312)), c10::Error);
  EXPECT_THROW(MultiLabelSupConLoss(z, torch::Tensor()), c10::Error);
  EXPECT_THROW(MultiLabelSupConLoss(z, y.view({-1})), c10::Error);
  EXPECT_THROW(MultiLabelSupConLoss(z, y, {}, torch::ones({3}, torch::kBool)), c10::Error);
  EXPECT_THROW(MultiLabelSupConLoss(z, y, {}, torch::ones({4})), c10::Error);  // not bool
  EXPECT_THROW(MultiLabelSupConLoss(z, y, MultiLabelSupConOptions().temperature(0.0)), c10::Error);
  EXPECT_THROW(WeightedSupConLoss(z, torch::ones({4, 3}, torch::kDouble)), c10::Error);
  EXPECT_THROW(WeightedSupConLoss(z, torch::ones({4, 4}, torch::kDouble), {}, torch::ones({4, 4})),
               c10::Error);  // candidates not bool
}

}  // namespace
}  // namespace mosaic::losses
