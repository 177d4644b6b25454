#include "mosaic/metrics/average_precision.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace mosaic::metrics {
namespace {

constexpr double kTolerance = 1e-12;

double Ap(const std::vector<double>& scores, const std::vector<double>& targets) {
  StatusOr<double> ap = BinaryAveragePrecision(MatrixView(scores), MatrixView(targets));
  EXPECT_TRUE(ap.ok()) << ap.status().ToString();
  return ap.ok() ? *ap : std::numeric_limits<double>::quiet_NaN();
}

TEST(AveragePrecision, SmallExampleByHand) {
  // Ranked: 0.9 (+), 0.8 (-), 0.7 (+), 0.6 (-); 2 positives.
  //   t = 0.9: P = 1/1, R = 1/2  -> (1/2 - 0) * 1     = 1/2
  //   t = 0.8: P = 1/2, R = 1/2  -> (1/2 - 1/2) * 1/2 = 0
  //   t = 0.7: P = 2/3, R = 1    -> (1 - 1/2) * 2/3   = 1/3
  //   t = 0.6: P = 2/4, R = 1    -> 0
  // AP = 1/2 + 1/3 = 5/6 (ROC-AUC would be 3/4).
  EXPECT_NEAR(Ap({0.9, 0.8, 0.7, 0.6}, {1, 0, 1, 0}), 5.0 / 6.0, kTolerance);
}

TEST(AveragePrecision, IsNotInterpolated) {
  // Ranked + - - + + (3 positives): recall steps at P = 1, 2/4, 3/5:
  //   AP = 1/3 * (1 + 1/2 + 3/5) = 7/10.
  // The interpolated AP would replace 2/4 by max(2/4, 3/5) = 3/5: 11/15.
  EXPECT_NEAR(Ap({0.9, 0.8, 0.7, 0.6, 0.5}, {1, 0, 0, 1, 1}), 0.7, kTolerance);
}

TEST(AveragePrecision, TiedScoresAreGrouped) {
  // The two samples at 0.5 (one +, one -) form a single threshold:
  //   t = 0.9: TP 0 of 1 predicted -> P = 0,   R = 0
  //   t = 0.5: TP 1 of 3 predicted -> P = 1/3, R = 1/2 -> 1/2 * 1/3 = 1/6
  //   t = 0.1: TP 2 of 4 predicted -> P = 1/2, R = 1   -> 1/2 * 1/2 = 1/4
  // AP = 1/6 + 1/4 = 5/12, whatever the order of the tied samples (ranking the
  // positive first would give 1/2 * 1/2 + 1/4 = 1/2 without grouping).
  EXPECT_NEAR(Ap({0.9, 0.5, 0.5, 0.1}, {0, 1, 0, 1}), 5.0 / 12.0, kTolerance);
  EXPECT_NEAR(Ap({0.9, 0.5, 0.5, 0.1}, {0, 0, 1, 1}), 5.0 / 12.0, kTolerance);
  EXPECT_NEAR(Ap({0.1, 0.5, 0.9, 0.5}, {1, 1, 0, 0}), 5.0 / 12.0, kTolerance);
}

TEST(AveragePrecision, AllScoresEqualGiveThePrevalence) {
  // One threshold: P = 2/4, R = 1.
  EXPECT_NEAR(Ap({0.5, 0.5, 0.5, 0.5}, {1, 0, 0, 1}), 0.5, kTolerance);
}

TEST(AveragePrecision, PerfectRankingIsOne) {
  EXPECT_DOUBLE_EQ(Ap({0.9, 0.8, 0.3, 0.2}, {1, 1, 0, 0}), 1.0);
  // Only the ranking matters: logits work as well as probabilities.
  EXPECT_DOUBLE_EQ(Ap({-3.0, 7.5, -10.0, 2.0}, {0, 1, 0, 1}), 1.0);
}

TEST(AveragePrecision, WorstRanking) {
  // Positives ranked last: P at the two recall steps is 1/3 and 2/4:
  // AP = 1/2 * 1/3 + 1/2 * 1/2 = 5/12.
  EXPECT_NEAR(Ap({0.9, 0.8, 0.3, 0.2}, {0, 0, 1, 1}), 5.0 / 12.0, kTolerance);
  // A single positive ranked last of 4: AP = 1 * 1/4.
  EXPECT_NEAR(Ap({0.9, 0.8, 0.3, 0.2}, {0, 0, 0, 1}), 0.25, kTolerance);
}

TEST(AveragePrecision, BinaryWithoutPositiveIsNaN) {
  StatusOr<double> ap = BinaryAveragePrecision(MatrixView(std::vector<double>{0.3, 0.7}),
                                               MatrixView(std::vector<double>{0, 0}));
  ASSERT_TRUE(ap.ok()) << ap.status().ToString();
  EXPECT_TRUE(std::isnan(*ap));
}

TEST(AveragePrecision, PerClassMacroAndMicro) {
  // 4 samples x 3 classes; row 1 has no label at all.
  const std::vector<double> scores = {
      0.9, 0.35, 0.1,  //
      0.8, 0.25, 0.2,  //
      0.7, 0.15, 0.3,  //
      0.6, 0.05, 0.4,  //
  };
  const std::vector<double> targets = {
      1, 0, 0,  //
      0, 0, 0,  //
      1, 0, 0,  //
      0, 0, 1,  //
  };
  StatusOr<AveragePrecisionResult> result =
      ComputeAveragePrecision(MatrixView(scores, 4, 3), MatrixView(targets, 4, 3));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Class 0 is the 5/6 example; class 1 has no positive; class 2's single
  // positive has the top score.
  EXPECT_NEAR(result->per_class[0], 5.0 / 6.0, kTolerance);
  EXPECT_TRUE(std::isnan(result->per_class[1]));
  EXPECT_DOUBLE_EQ(result->per_class[2], 1.0);
  EXPECT_EQ(result->support, (std::vector<int64_t>{2, 0, 1}));
  EXPECT_EQ(result->num_classes_without_positives, 1);
  // Macro over the two classes with a positive: (5/6 + 1) / 2 = 11/12.
  EXPECT_NEAR(result->macro, 11.0 / 12.0, kTolerance);
  // Micro: the 12 entries ranked 0.9+ 0.8 0.7+ 0.6 0.4+ 0.35 ... (3 positives):
  //   1/3 * 1 + 1/3 * 2/3 + 1/3 * 3/5 = 15/45 + 10/45 + 9/45 = 34/45.
  EXPECT_NEAR(result->micro, 34.0 / 45.0, kTolerance);
}

TEST(AveragePrecision, MicroAndMacroDifferOnUnbalancedClasses) {
  // Class 0 is frequent (3 of 4) and ranked badly, class 1 rare and ranked
  // perfectly.
  const std::vector<float> scores = {
      0.1f, 0.9f,  //
      0.2f, 0.1f,  //
      0.3f, 0.2f,  //
      0.4f, 0.3f,  //
  };
  const std::vector<uint8_t> targets = {
      1, 1,  //
      1, 0,  //
      1, 0,  //
      0, 0,  //
  };
  StatusOr<AveragePrecisionResult> result =
      ComputeAveragePrecision(MatrixView(scores, 4, 2), MatrixView(targets, 4, 2));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Class 0 ranked 0.4- 0.3+ 0.2+ 0.1+:
  //   1/3 * 1/2 + 1/3 * 2/3 + 1/3 * 3/4 = 6/36 + 8/36 + 9/36 = 23/36.
  EXPECT_NEAR(result->per_class[0], 23.0 / 36.0, 1e-7);
  EXPECT_DOUBLE_EQ(result->per_class[1], 1.0);
  // Macro: (23/36 + 1) / 2 = 59/72 ~ 0.819.
  EXPECT_NEAR(result->macro, 59.0 / 72.0, 1e-7);
  // Micro over the 8 entries (4 positives), ties grouped:
  //   0.9+ -> P 1,   R 1/4: 1/4
  //   0.4- -> no recall step
  //   {0.3+, 0.3-} -> P 2/4, R 2/4: 1/4 * 1/2
  //   {0.2+, 0.2-} -> P 3/6, R 3/4: 1/4 * 1/2
  //   {0.1+, 0.1-} -> P 4/8, R 1:   1/4 * 1/2
  // = 1/4 + 3/8 = 5/8, well below the macro value.
  EXPECT_NEAR(result->micro, 5.0 / 8.0, 1e-7);
}

TEST(AveragePrecision, NoPositiveAnywhere) {
  const std::vector<double> scores = {0.1, 0.2, 0.3, 0.4};
  const std::vector<double> targets = {0, 0, 0, 0};
  StatusOr<AveragePrecisionResult> result =
      ComputeAveragePrecision(MatrixView(scores, 2, 2), MatrixView(targets, 2, 2));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->num_classes_without_positives, 2);
  EXPECT_TRUE(std::isnan(result->macro));
  EXPECT_TRUE(std::isnan(result->micro));
}

TEST(AveragePrecision, AgreesWithThePerPositiveDefinitionOnRandomTies) {
  // Equivalent definition: AP = mean over the positives i of the precision at
  // threshold score_i, i.e. #{positives with score >= score_i} /
  // #{samples with score >= score_i}. Scores on a coarse grid make many ties.
  uint64_t state = 2024;
  auto next = [&state](int n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % static_cast<uint64_t>(n));
  };
  for (int trial = 0; trial < 50; ++trial) {
    const int n = 5 + next(60);
    std::vector<double> scores(n), targets(n);
    for (int i = 0; i < n; ++i) {
      scores[i] = 0.1 * next(8);
      targets[i] = next(3) == 0 ? 1.0 : 0.0;
    }
    targets[next(n)] = 1.0;
    double sum = 0.0;
    int positives = 0;
    for (int i = 0; i < n; ++i) {
      if (targets[i] != 1.0) continue;
      ++positives;
      int above = 0, positives_above = 0;
      for (int j = 0; j < n; ++j) {
        if (scores[j] < scores[i]) continue;
        ++above;
        if (targets[j] == 1.0) ++positives_above;
      }
      sum += static_cast<double>(positives_above) / above;
    }
    EXPECT_NEAR(Ap(scores, targets), sum / positives, 1e-12) << trial;
  }
}

TEST(AveragePrecision, InvalidInputs) {
  const std::vector<double> targets = {1, 0, 1, 0};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();

  StatusOr<AveragePrecisionResult> nan_score = ComputeAveragePrecision(
      MatrixView(std::vector<double>{0.1, 0.2, nan, 0.4}, 2, 2), MatrixView(targets, 2, 2));
  ASSERT_EQ(nan_score.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nan_score.status().message().find("scores[1, 0] is NaN"), std::string::npos)
      << nan_score.status().message();

  EXPECT_EQ(ComputeAveragePrecision(MatrixView(std::vector<double>{0.1, inf, 0.3, 0.4}, 2, 2),
                                    MatrixView(targets, 2, 2))
                .status()
                .code(),
            StatusCode::kInvalidArgument);

  StatusOr<AveragePrecisionResult> bad_target =
      ComputeAveragePrecision(MatrixView(std::vector<double>{0.1, 0.2, 0.3, 0.4}, 2, 2),
                              MatrixView(std::vector<double>{1, 0, 0.5, 0}, 2, 2));
  ASSERT_EQ(bad_target.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_target.status().message().find("targets[1, 0]"), std::string::npos)
      << bad_target.status().message();

  // Shapes differ.
  EXPECT_EQ(ComputeAveragePrecision(MatrixView(std::vector<double>{0.1, 0.2, 0.3, 0.4}, 2, 2),
                                    MatrixView(targets, 4, 1))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // The buffer does not hold rows * cols values.
  StatusOr<AveragePrecisionResult> short_buffer = ComputeAveragePrecision(
      MatrixView(std::vector<double>{0.1, 0.2, 0.3}, 2, 2), MatrixView(targets, 2, 2));
  ASSERT_EQ(short_buffer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_buffer.status().message().find("needs 4 values"), std::string::npos)
      << short_buffer.status().message();
  // No sample.
  EXPECT_EQ(ComputeAveragePrecision(MatrixView(std::vector<double>{}, 0, 3),
                                    MatrixView(std::vector<double>{}, 0, 3))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BinaryAveragePrecision(MatrixView(), MatrixView()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mosaic::metrics
