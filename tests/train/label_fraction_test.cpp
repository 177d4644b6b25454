#include "mosaic/train/label_fraction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "train_test_util.h"

namespace mosaic::train {
namespace {

// 2000 samples, 6 classes with prevalences from 40% down to 1%, some rows empty.
std::vector<std::vector<uint8_t>> SyntheticLabels() {
  std::mt19937 gen(11);
  const double prevalence[6] = {0.4, 0.25, 0.1, 0.05, 0.02, 0.01};
  std::vector<std::vector<uint8_t>> labels(2000, std::vector<uint8_t>(6, 0));
  for (auto& row : labels) {
    for (int c = 0; c < 6; ++c) row[c] = std::bernoulli_distribution(prevalence[c])(gen) ? 1 : 0;
  }
  return labels;
}

TEST(LabelFraction, KeepsEveryLabelsShare) {
  const auto labels = SyntheticLabels();
  for (double fraction : {0.01, 0.1, 0.5}) {
    const std::vector<bool> mask = SelectLabelledSubset(labels, fraction, 5).value();
    ASSERT_EQ(mask.size(), labels.size());
    int64_t selected = 0;
    std::vector<int64_t> total(6, 0), kept(6, 0);
    for (size_t i = 0; i < labels.size(); ++i) {
      selected += mask[i];
      for (int c = 0; c < 6; ++c) {
        total[c] += labels[i][c];
        kept[c] += labels[i][c] && mask[i];
      }
    }
    EXPECT_NEAR(selected, fraction * 2000, 0.02 * 2000 * fraction + 2) << fraction;
    for (int c = 0; c < 6; ++c) {
      // Within one sample (+1 for multi-label interplay) of the exact share.
      EXPECT_NEAR(kept[c], fraction * total[c], std::max(2.0, 0.05 * fraction * total[c]))
          << "class " << c << " fraction " << fraction;
    }
  }
}

TEST(LabelFraction, DeterministicForASeed) {
  const auto labels = SyntheticLabels();
  EXPECT_EQ(SelectLabelledSubset(labels, 0.1, 7).value(),
            SelectLabelledSubset(labels, 0.1, 7).value());
  EXPECT_NE(SelectLabelledSubset(labels, 0.1, 7).value(),
            SelectLabelledSubset(labels, 0.1, 8).value());
}

TEST(LabelFraction, AllNoneAndAtLeastOne) {
  const auto labels = SyntheticLabels();
  const std::vector<bool> all = SelectLabelledSubset(labels, 1.0, 1).value();
  const std::vector<bool> none = SelectLabelledSubset(labels, 0.0, 1).value();
  EXPECT_EQ(std::count(all.begin(), all.end(), true), 2000);
  EXPECT_EQ(std::count(none.begin(), none.end(), true), 0);
  const std::vector<std::vector<uint8_t>> few(10, std::vector<uint8_t>{1, 0});
  const std::vector<bool> one = SelectLabelledSubset(few, 0.001, 1).value();
  EXPECT_EQ(std::count(one.begin(), one.end(), true), 1);
  EXPECT_TRUE(SelectLabelledSubset({}, 0.5, 1).value().empty());
}

TEST(LabelFraction, Errors) {
  const auto labels = SyntheticLabels();
  EXPECT_EQ(SelectLabelledSubset(labels, -0.1, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SelectLabelledSubset(labels, 1.5, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SelectLabelledSubset(labels, std::nan(""), 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SelectLabelledSubset({{1, 0}, {1}}, 0.5, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(LabelFraction, MaskOverDatasetIndices) {
  const auto dataset = testing::EasyDataset(40);
  const std::vector<size_t> train = data::IndicesOfSplit(*dataset, "train");
  const std::vector<bool> mask = LabelledMask(*dataset, train, 0.5, 2).value();
  ASSERT_EQ(mask.size(), dataset->size());
  int64_t selected = 0;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (dataset->record(i).split != "train") {
      EXPECT_FALSE(mask[i]);
    }
    selected += mask[i];
  }
  EXPECT_NEAR(selected, train.size() / 2.0, 2.0);
  EXPECT_EQ(LabelledMask(*dataset, {1000}, 0.5, 2).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mosaic::train
