#include "mosaic/losses/label_similarity.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "naive_losses.h"

namespace mosaic::losses {
namespace {

using testing::NaiveLabelSimilarity;
using testing::RandomLabels;
using testing::ToMatrix;

const LabelSimilarity kAllKinds[] = {LabelSimilarity::kJaccard, LabelSimilarity::kAnyOverlap,
                                     LabelSimilarity::kExactMatch};

TEST(LabelSimilarity, MatchesNaiveSetComputation) {
  // Sparse labels over few classes give empty sets, equal sets and overlaps.
  const torch::Tensor labels = RandomLabels(24, 4, 7, 0.3);
  const auto y = ToMatrix(labels);
  for (auto kind : kAllKinds) {
    const auto name = LabelSimilarityName(kind);
    const auto got = ToMatrix(LabelSimilarityMatrix(labels, kind, torch::kDouble));
    for (size_t i = 0; i < y.size(); ++i)
      for (size_t j = 0; j < y.size(); ++j)
        EXPECT_NEAR(got[i][j], NaiveLabelSimilarity(y[i], y[j], name), 1e-12)
            << name << " (" << i << ", " << j << ")";
  }
}

TEST(LabelSimilarity, HandComputedPairs) {
  // {0, 1}, {0}, {2}, {}, {0, 1}
  const torch::Tensor y =
      torch::tensor({1., 1., 0., 1., 0., 0., 0., 0., 1., 0., 0., 0., 1., 1., 0.}, torch::kDouble)
          .view({5, 3});
  const auto jaccard =
      ToMatrix(LabelSimilarityMatrix(y, LabelSimilarity::kJaccard, torch::kDouble));
  EXPECT_DOUBLE_EQ(jaccard[0][1], 0.5);
  EXPECT_DOUBLE_EQ(jaccard[0][2], 0.0);
  EXPECT_DOUBLE_EQ(jaccard[0][4], 1.0);
  EXPECT_DOUBLE_EQ(jaccard[0][0], 1.0);
  const auto any = ToMatrix(LabelSimilarityMatrix(y, LabelSimilarity::kAnyOverlap, torch::kDouble));
  EXPECT_DOUBLE_EQ(any[0][1], 1.0);
  EXPECT_DOUBLE_EQ(any[1][2], 0.0);
  const auto exact =
      ToMatrix(LabelSimilarityMatrix(y, LabelSimilarity::kExactMatch, torch::kDouble));
  EXPECT_DOUBLE_EQ(exact[0][1], 0.0);
  EXPECT_DOUBLE_EQ(exact[0][4], 1.0);
}

TEST(LabelSimilarity, EmptySetsHaveZeroSimilarity) {
  const torch::Tensor y = torch::tensor({0., 0., 0., 0., 1., 0.}, torch::kDouble).view({3, 2});
  for (auto kind : kAllKinds) {
    const torch::Tensor s = LabelSimilarityMatrix(y, kind, torch::kDouble);
    EXPECT_EQ(s[0][1].item<double>(), 0.0) << LabelSimilarityName(kind);  // empty vs empty
    EXPECT_EQ(s[0][0].item<double>(), 0.0) << LabelSimilarityName(kind);  // empty vs itself
    EXPECT_EQ(s[0][2].item<double>(), 0.0) << LabelSimilarityName(kind);  // empty vs {1}
    EXPECT_TRUE(torch::isfinite(s).all().item<bool>());
  }
}

TEST(LabelSimilarity, BoolIntegerAndFloatLabelsAgree) {
  const torch::Tensor y = RandomLabels(10, 5, 9);
  for (auto kind : kAllKinds) {
    const torch::Tensor ref = LabelSimilarityMatrix(y, kind, torch::kDouble);
    EXPECT_TRUE(torch::equal(ref, LabelSimilarityMatrix(y.to(torch::kBool), kind, torch::kDouble)));
    EXPECT_TRUE(torch::equal(ref, LabelSimilarityMatrix(y.to(torch::kLong), kind, torch::kDouble)));
    EXPECT_TRUE(
        torch::allclose(ref.to(torch::kFloat), LabelSimilarityMatrix(y.to(torch::kFloat), kind)));
  }
}

TEST(LabelSimilarity, NamesRoundTrip) {
  for (auto kind : kAllKinds) EXPECT_EQ(ParseLabelSimilarity(LabelSimilarityName(kind)), kind);
  EXPECT_EQ(LabelSimilarityNames(),
            (std::vector<std::string>{"jaccard", "any-overlap", "exact-match"}));
}

TEST(LabelSimilarity, UnknownNameListsValidNames) {
  try {
    ParseLabelSimilarity("cosine");
    FAIL() << "expected c10::Error";
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    EXPECT_NE(message.find("'cosine'"), std::string::npos) << message;
    EXPECT_NE(message.find("jaccard, any-overlap, exact-match"), std::string::npos) << message;
  }
}

TEST(LabelSimilarity, RejectsBadInput) {
  EXPECT_THROW(LabelSimilarityMatrix(torch::ones({3}), LabelSimilarity::kJaccard), c10::Error);
  EXPECT_THROW(LabelSimilarityMatrix(torch::Tensor(), LabelSimilarity::kJaccard), c10::Error);
  EXPECT_THROW(LabelSimilarityMatrix(torch::ones({3, 2}), LabelSimilarity::kJaccard, torch::kLong),
               c10::Error);
}

}  // namespace
}  // namespace mosaic::losses
