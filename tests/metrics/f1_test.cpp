#include "mosaic/metrics/f1.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace mosaic::metrics {
namespace {

constexpr double kTolerance = 1e-12;

// 4 samples x 3 classes.
const std::vector<double> kScores = {
    0.9, 0.2, 0.6,  //
    0.4, 0.7, 0.1,  //
    0.6, 0.5, 0.3,  //
    0.3, 0.1, 0.2,  //
};
const std::vector<double> kTargets = {
    1, 0, 0,  //
    1, 1, 0,  //
    0, 0, 0,  //
    0, 0, 0,  //
};

TEST(F1, AtFixedThresholdByHand) {
  StatusOr<F1Result> result = ComputeF1(MatrixView(kScores, 4, 3), MatrixView(kTargets, 4, 3));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Predicted (score >= 0.5):
  //   class 0: rows 0, 2 -> TP 1 (row 0), FP 1 (row 2), FN 1 (row 1)
  //   class 1: rows 1, 2 (0.5 counts) -> TP 1, FP 1, FN 0
  //   class 2: row 0 -> TP 0, FP 1, FN 0 (no positive target)
  EXPECT_EQ(result->true_positives, (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(result->false_positives, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(result->false_negatives, (std::vector<int64_t>{1, 0, 0}));
  // P = TP / (TP + FP), R = TP / (TP + FN) (0/0 -> 0), F1 = 2TP / (2TP + FP + FN).
  EXPECT_NEAR(result->precision[0], 0.5, kTolerance);
  EXPECT_NEAR(result->recall[0], 0.5, kTolerance);
  EXPECT_NEAR(result->f1[0], 0.5, kTolerance);  // 2 / 4
  EXPECT_NEAR(result->precision[1], 0.5, kTolerance);
  EXPECT_NEAR(result->recall[1], 1.0, kTolerance);
  EXPECT_NEAR(result->f1[1], 2.0 / 3.0, kTolerance);  // 2 / 3
  EXPECT_EQ(result->precision[2], 0.0);               // 0 / 1
  EXPECT_EQ(result->recall[2], 0.0);                  // 0 / 0 -> zero_division
  EXPECT_EQ(result->f1[2], 0.0);                      // 0 / 1
  // Macro: (1/2 + 2/3 + 0) / 3 = 7/18; P (1/2 + 1/2 + 0) / 3; R (1/2 + 1 + 0) / 3.
  EXPECT_NEAR(result->macro_f1, 7.0 / 18.0, kTolerance);
  EXPECT_NEAR(result->macro_precision, 1.0 / 3.0, kTolerance);
  EXPECT_NEAR(result->macro_recall, 0.5, kTolerance);
  // Micro: TP 2, FP 3, FN 1 -> P 2/5, R 2/3, F1 4 / (4 + 3 + 1) = 1/2.
  EXPECT_NEAR(result->micro_precision, 0.4, kTolerance);
  EXPECT_NEAR(result->micro_recall, 2.0 / 3.0, kTolerance);
  EXPECT_NEAR(result->micro_f1, 0.5, kTolerance);
  EXPECT_EQ(result->thresholds, (std::vector<double>{0.5, 0.5, 0.5}));
}

TEST(F1, PerClassThresholds) {
  // Class 0 at 0.35 now also predicts row 1: TP 2, FP 1, FN 0 -> 4/5.
  // Class 1 at 0.75 predicts nothing: TP 0, FN 1 -> F1 0, precision 0/0 -> 0.
  // Class 2 at +Inf predicts nothing and has no positive: 0/0 -> 0.
  StatusOr<F1Result> result =
      ComputeF1(MatrixView(kScores, 4, 3), MatrixView(kTargets, 4, 3),
                std::vector<double>{0.35, 0.75, std::numeric_limits<double>::infinity()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_NEAR(result->f1[0], 0.8, kTolerance);
  EXPECT_EQ(result->f1[1], 0.0);
  EXPECT_EQ(result->precision[1], 0.0);
  EXPECT_EQ(result->f1[2], 0.0);
  // Micro: TP 2, FP 1, FN 1 -> 4 / (4 + 1 + 1) = 2/3.
  EXPECT_NEAR(result->micro_f1, 2.0 / 3.0, kTolerance);
}

TEST(F1, ZeroDivisionConvention) {
  // Class 0: one true positive. Class 1: no positive target and no positive
  // prediction (0/0 everywhere). Class 2: a positive that is never predicted.
  const std::vector<double> scores = {
      0.9, 0.2, 0.1,  //
      0.1, 0.3, 0.2,  //
  };
  const std::vector<double> targets = {
      1, 0, 1,  //
      0, 0, 0,  //
  };
  const MatrixView s(scores, 2, 3);
  const MatrixView t(targets, 2, 3);

  // Default: 0/0 -> 0 (scikit-learn's default).
  StatusOr<F1Result> zero = ComputeF1(s, t);
  ASSERT_TRUE(zero.ok()) << zero.status().ToString();
  EXPECT_EQ(zero->f1, (std::vector<double>{1.0, 0.0, 0.0}));
  EXPECT_EQ(zero->precision, (std::vector<double>{1.0, 0.0, 0.0}));
  EXPECT_EQ(zero->recall, (std::vector<double>{1.0, 0.0, 0.0}));
  EXPECT_NEAR(zero->macro_f1, 1.0 / 3.0, kTolerance);
  // Micro: TP 1, FP 0, FN 1 -> 2 / 3.
  EXPECT_NEAR(zero->micro_f1, 2.0 / 3.0, kTolerance);

  // zero_division = 1: class 1 scores 1 on P, R and F1; class 2 gets P = 1
  // (0/0) but F1 stays 2*0 / (0 + 0 + 1) = 0.
  F1Options one;
  one.zero_division = 1.0;
  StatusOr<F1Result> ones = ComputeF1(s, t, 0.5, one);
  ASSERT_TRUE(ones.ok()) << ones.status().ToString();
  EXPECT_EQ(ones->f1, (std::vector<double>{1.0, 1.0, 0.0}));
  EXPECT_EQ(ones->precision, (std::vector<double>{1.0, 1.0, 1.0}));
  EXPECT_EQ(ones->recall, (std::vector<double>{1.0, 1.0, 0.0}));
  EXPECT_NEAR(ones->macro_f1, 2.0 / 3.0, kTolerance);

  // zero_division = NaN: the undefined values are NaN and left out of macro.
  F1Options nan;
  nan.zero_division = std::numeric_limits<double>::quiet_NaN();
  StatusOr<F1Result> nans = ComputeF1(s, t, 0.5, nan);
  ASSERT_TRUE(nans.ok()) << nans.status().ToString();
  EXPECT_TRUE(std::isnan(nans->f1[1]));
  EXPECT_EQ(nans->f1[2], 0.0);
  EXPECT_TRUE(std::isnan(nans->precision[2]));
  EXPECT_NEAR(nans->macro_f1, 0.5, kTolerance);         // (1 + 0) / 2
  EXPECT_NEAR(nans->macro_precision, 1.0, kTolerance);  // class 0 only

  F1Options bad;
  bad.zero_division = 0.5;
  EXPECT_EQ(ComputeF1(s, t, 0.5, bad).status().code(), StatusCode::kInvalidArgument);
}

// Validation set, 6 samples x 4 classes (one column per case below).
const std::vector<double> kValidationScores = {
    0.9,  0.8,  0.5, 0.6,  //
    0.8,  0.6,  0.4, 0.5,  //
    0.35, 0.4,  0.3, 0.4,  //
    0.3,  0.2,  0.2, 0.3,  //
    0.2,  0.1,  0.1, 0.2,  //
    0.1,  0.05, 0.0, 0.1,  //
};
const std::vector<double> kValidationTargets = {
    1, 1, 0, 1,  //
    0, 0, 0, 1,  //
    1, 0, 0, 1,  //
    1, 1, 0, 1,  //
    0, 0, 0, 1,  //
    0, 0, 0, 1,  //
};

TEST(TuneThresholds, PicksTheF1OptimalCut) {
  StatusOr<TunedThresholds> tuned =
      TuneThresholds(MatrixView(kValidationScores, 6, 4), MatrixView(kValidationTargets, 6, 4));
  ASSERT_TRUE(tuned.ok()) << tuned.status().ToString();

  // Class 0 (3 positives), F1 = 2 TP / (predicted + 3) per cut:
  //   >= 0.9: 2/4   >= 0.8: 2/5   >= 0.35: 4/6   >= 0.3: 6/7   >= 0.2: 6/8
  //   >= 0.1: 6/9. Best: the cut at 0.3 (F1 6/7), threshold midway to the
  // next lower score 0.2: 0.25. (0.5 would give 2/5 on this set.)
  EXPECT_DOUBLE_EQ(tuned->thresholds[0], 0.25);
  EXPECT_NEAR(tuned->validation_f1[0], 6.0 / 7.0, kTolerance);
  EXPECT_FALSE(tuned->fell_back[0]);

  // Class 1 (2 positives, at ranks 1 and 4): >= 0.8: 2/3, >= 0.6: 2/4,
  // >= 0.4: 2/5, >= 0.2: 4/6 = 2/3, ... A tie: the cut predicting fewer
  // samples (0.8) wins, threshold midway to 0.6.
  EXPECT_DOUBLE_EQ(tuned->thresholds[1], 0.7);
  EXPECT_NEAR(tuned->validation_f1[1], 2.0 / 3.0, kTolerance);

  // Class 2 has no validation positive: the fallback 0.5.
  EXPECT_EQ(tuned->thresholds[2], 0.5);
  EXPECT_TRUE(tuned->fell_back[2]);
  EXPECT_EQ(tuned->validation_f1[2], 0.0);

  // Class 3 is all positive: predicting everything (F1 1) is best, and with
  // no lower score the threshold is the lowest score itself.
  EXPECT_EQ(tuned->thresholds[3], 0.1);
  EXPECT_DOUBLE_EQ(tuned->validation_f1[3], 1.0);
}

TEST(TuneThresholds, ReproducesTheValidationF1) {
  StatusOr<TunedThresholds> tuned =
      TuneThresholds(MatrixView(kValidationScores, 6, 4), MatrixView(kValidationTargets, 6, 4));
  ASSERT_TRUE(tuned.ok()) << tuned.status().ToString();
  StatusOr<F1Result> f1 = ComputeF1(MatrixView(kValidationScores, 6, 4),
                                    MatrixView(kValidationTargets, 6, 4), tuned->thresholds);
  ASSERT_TRUE(f1.ok()) << f1.status().ToString();
  for (int c : {0, 1, 3}) EXPECT_NEAR(f1->f1[c], tuned->validation_f1[c], kTolerance) << c;
  // And no fixed threshold does better than the tuned one on its class.
  for (double t = 0.0; t <= 1.0; t += 0.05) {
    StatusOr<F1Result> fixed =
        ComputeF1(MatrixView(kValidationScores, 6, 4), MatrixView(kValidationTargets, 6, 4), t);
    ASSERT_TRUE(fixed.ok());
    for (int c : {0, 1, 3}) EXPECT_LE(fixed->f1[c], tuned->validation_f1[c] + kTolerance);
  }
}

TEST(F1, InvalidInputs) {
  const MatrixView scores(kScores, 4, 3);
  const MatrixView targets(kTargets, 4, 3);
  EXPECT_EQ(ComputeF1(scores, targets, std::vector<double>{0.5, 0.5}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeF1(scores, targets, std::numeric_limits<double>::quiet_NaN()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeF1(scores, MatrixView(kTargets, 3, 4)).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<double> nan_scores = kScores;
  nan_scores[4] = std::numeric_limits<double>::quiet_NaN();
  StatusOr<F1Result> nan = ComputeF1(MatrixView(nan_scores, 4, 3), targets);
  ASSERT_EQ(nan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nan.status().message().find("scores[1, 1] is NaN"), std::string::npos)
      << nan.status().message();
  StatusOr<TunedThresholds> tuned = TuneThresholds(MatrixView(nan_scores, 4, 3), targets);
  ASSERT_EQ(tuned.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tuned.status().message().find("validation_scores[1, 1]"), std::string::npos)
      << tuned.status().message();
  std::vector<double> bad_targets = kTargets;
  bad_targets[0] = 2.0;
  EXPECT_EQ(ComputeF1(scores, MatrixView(bad_targets, 4, 3)).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mosaic::metrics
