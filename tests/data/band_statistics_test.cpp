#include "mosaic/data/band_statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "data/test_datasets.h"

namespace mosaic::data {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

PatchSample TinySample(const std::string& id, std::vector<float> s1, std::vector<float> s2) {
  PatchSample s;
  s.record.id = id;
  s.record.labels = {1};
  s.height = s.width = 2;
  s.s1 = std::move(s1);
  s.s2 = std::move(s2);
  return s;
}

// Two 2 x 2 patches, one S1 band and two S2 bands, with NaN and Inf values.
std::shared_ptr<MemoryDataset> HandExample() {
  std::vector<PatchSample> samples;
  samples.push_back(TinySample("a", {1, 2, kNaN, 3}, {10, 10, 10, 10, 0, 1, 2, kInf}));
  samples.push_back(TinySample("b", {4, 5, 6, kNaN}, {10, 10, 10, 10, 3, 4, 5, 6}));
  return std::make_shared<MemoryDataset>(
      MemoryDataset::Create("hand example", {"c"}, {"VV"}, {"B02", "B03"}, 2, std::move(samples))
          .value());
}

TEST(BandStatistics, MatchesHandComputedExampleIgnoringNonFiniteValues) {
  const auto dataset = HandExample();
  StatusOr<BandStatistics> stats = ComputeBandStatistics(*dataset, {0, 1}, 0);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  // VV: 1..6 -> mean 3.5, population variance 17.5 / 6.
  ASSERT_EQ(stats->s1.mean.size(), 1u);
  EXPECT_DOUBLE_EQ(stats->s1.mean[0], 3.5);
  EXPECT_NEAR(stats->s1.std[0], std::sqrt(17.5 / 6.0), 1e-12);
  // B02 is constant: std falls back to 1. B03: 0..6 -> mean 3, variance 4.
  ASSERT_EQ(stats->s2.mean.size(), 2u);
  EXPECT_DOUBLE_EQ(stats->s2.mean[0], 10.0);
  EXPECT_DOUBLE_EQ(stats->s2.std[0], 1.0);
  EXPECT_NEAR(stats->s2.mean[1], 3.0, 1e-12);
  EXPECT_NEAR(stats->s2.std[1], 2.0, 1e-12);
  EXPECT_EQ(stats->s1_valid_values, (std::vector<int64_t>{6}));
  EXPECT_EQ(stats->s2_valid_values, (std::vector<int64_t>{8, 7}));
  EXPECT_EQ(stats->skipped_values, 3);
  EXPECT_EQ(stats->num_samples, 2);
}

TEST(BandStatistics, MaxSamplesTakesAnEvenlySpacedSubsetAndThreadsDoNotMatter) {
  const auto dataset = testing::MakeDataset(10);
  const std::vector<size_t> all = IndicesOfSplit(*dataset, "");
  StatusOr<BandStatistics> subset = ComputeBandStatistics(*dataset, all, 3);
  StatusOr<BandStatistics> by_hand = ComputeBandStatistics(*dataset, {0, 3, 6}, 0);
  ASSERT_TRUE(subset.ok() && by_hand.ok());
  EXPECT_EQ(subset->num_samples, 3);
  EXPECT_EQ(subset->s2.mean, by_hand->s2.mean);
  EXPECT_EQ(subset->s1.std, by_hand->s1.std);

  StatusOr<BandStatistics> one = ComputeBandStatistics(*dataset, all, 0, 1);
  StatusOr<BandStatistics> three = ComputeBandStatistics(*dataset, all, 0, 3);
  ASSERT_TRUE(one.ok() && three.ok());
  EXPECT_EQ(one->s1.mean, three->s1.mean);  // bit-identical: merged in index order
  EXPECT_EQ(one->s2.std, three->s2.std);
  // Plausible for S1 ~ N(-12, 3) dB and S2 ~ U(0, 3000).
  EXPECT_NEAR(one->s1.mean[0], -12.0, 0.2);
  EXPECT_NEAR(one->s1.std[0], 3.0, 0.2);
  EXPECT_NEAR(one->s2.mean[0], 1500.0, 50.0);
}

TEST(BandStatistics, ReadErrorNamesTheSample) {
  auto dataset = std::make_shared<testing::HookedDataset>(testing::MakeDataset(4));
  dataset->before_read = [](size_t index) {
    return index == 2 ? Status::NotFound("missing B08.tif") : Status::OK();
  };
  StatusOr<BandStatistics> stats = ComputeBandStatistics(*dataset, {0, 1, 2, 3}, 0, 2);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kNotFound);
  EXPECT_NE(stats.status().message().find("patch_2"), std::string::npos);
  EXPECT_NE(stats.status().message().find("missing B08.tif"), std::string::npos);
}

TEST(BandStatistics, RejectsBadInput) {
  const auto dataset = HandExample();
  EXPECT_EQ(ComputeBandStatistics(*dataset, {}, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeBandStatistics(*dataset, {2}, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ComputeBandStatistics(*dataset, {0}, 0, 0).ok());

  std::vector<PatchSample> samples;
  samples.push_back(TinySample("nan", {kNaN, kNaN, kNaN, kNaN}, {1, 2, 3, 4, 1, 2, 3, 4}));
  const MemoryDataset all_nan =
      MemoryDataset::Create("all nan", {"c"}, {"VH"}, {"B02", "B03"}, 2, std::move(samples))
          .value();
  StatusOr<BandStatistics> stats = ComputeBandStatistics(all_nan, {0}, 0);
  ASSERT_FALSE(stats.ok());
  EXPECT_NE(stats.status().message().find("VH"), std::string::npos);
}

}  // namespace
}  // namespace mosaic::data
