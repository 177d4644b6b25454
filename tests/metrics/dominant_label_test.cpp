#include "mosaic/metrics/dominant_label.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace mosaic::metrics {
namespace {

// 5 samples x 3 classes; class counts 3, 3, 2; row 3 has no label.
const std::vector<uint8_t> kTargets = {
    1, 1, 0,  //
    0, 1, 1,  //
    1, 0, 0,  //
    0, 0, 0,  //
    1, 1, 1,  //
};

TEST(DominantLabels, RarestFromTheTargets) {
  StatusOr<std::vector<int>> labels = DominantLabels(MatrixView(kTargets, 5, 3));
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  // Row 0: classes 0 and 1 both occur 3 times -> the lower index, 0.
  // Row 1: class 2 (2) is rarer than class 1 (3). Row 4: class 2.
  EXPECT_EQ(*labels, (std::vector<int>{0, 2, 0, kNoLabel, 2}));
}

TEST(DominantLabels, RarestFromGivenFrequencies) {
  // Class 1 is the rarest overall (e.g. in the training set).
  StatusOr<std::vector<int>> labels =
      DominantLabels(MatrixView(kTargets, 5, 3), DominantLabelRule::kRarest, {0.9, 0.1, 0.5});
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(*labels, (std::vector<int>{1, 1, 0, kNoLabel, 1}));
}

TEST(DominantLabels, First) {
  StatusOr<std::vector<int>> labels =
      DominantLabels(MatrixView(kTargets, 5, 3), DominantLabelRule::kFirst);
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(*labels, (std::vector<int>{0, 1, 0, kNoLabel, 0}));
}

TEST(DominantLabels, InvalidInputs) {
  const MatrixView targets(kTargets, 5, 3);
  EXPECT_EQ(DominantLabels(targets, DominantLabelRule::kRarest, {1.0, 2.0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DominantLabels(targets, DominantLabelRule::kRarest, {1.0, -2.0, 3.0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DominantLabels(targets, DominantLabelRule::kRarest,
                           {1.0, std::numeric_limits<double>::quiet_NaN(), 3.0})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  const std::vector<double> not_binary = {1, 0, 0.5, 1};
  StatusOr<std::vector<int>> bad = DominantLabels(MatrixView(not_binary, 2, 2));
  ASSERT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("targets[1, 0]"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(DominantLabels(MatrixView(kTargets, 4, 3)).status().code(),
            StatusCode::kInvalidArgument);  // the buffer holds 15 values, not 12
}

}  // namespace
}  // namespace mosaic::metrics
