#include "mosaic/metrics/kmeans.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <vector>

#include "mosaic/metrics/clustering.h"

namespace mosaic::metrics {
namespace {

// Four well-separated bundles of directions in 3-D: 8 points each, with
// different norms and small deterministic perturbations, interleaved.
void MakeBundles(std::vector<double>* points, std::vector<int>* labels) {
  const double directions[4][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-1, -1, 0}};
  for (int i = 0; i < 32; ++i) {
    const int cluster = i % 4;
    const double scale = 0.5 + 0.25 * (i % 7);
    for (int j = 0; j < 3; ++j) {
      const double jitter = 0.03 * ((i * 7 + j * 3) % 5) - 0.06;
      points->push_back(scale * (directions[cluster][j] + jitter));
    }
    labels->push_back(cluster);
  }
}

TEST(KMeans, RecoversWellSeparatedClusters) {
  std::vector<double> points;
  std::vector<int> labels;
  MakeBundles(&points, &labels);
  KMeansOptions options;
  options.num_clusters = 4;
  StatusOr<KMeansResult> result = KMeans(MatrixView(points, 32, 3), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->assignments.size(), 32u);
  EXPECT_EQ(result->centroids.size(), 4u * 3u);
  EXPECT_TRUE(result->converged);
  EXPECT_GE(result->iterations, 1);
  StatusOr<double> ari = AdjustedRandIndex(labels, result->assignments);
  ASSERT_TRUE(ari.ok());
  EXPECT_DOUBLE_EQ(*ari, 1.0);
}

TEST(KMeans, IsDeterministicForASeed) {
  std::vector<double> points;
  std::vector<int> labels;
  MakeBundles(&points, &labels);
  KMeansOptions options;
  options.num_clusters = 3;  // not the true k: the result depends on the initialisation
  options.num_restarts = 3;
  options.seed = 42;
  StatusOr<KMeansResult> a = KMeans(MatrixView(points, 32, 3), options);
  StatusOr<KMeansResult> b = KMeans(MatrixView(points, 32, 3), options);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->assignments, b->assignments);
  EXPECT_EQ(a->centroids, b->centroids);
  EXPECT_EQ(a->inertia, b->inertia);
  EXPECT_EQ(a->iterations, b->iterations);
}

TEST(KMeans, InertiaByHandWithoutNormalisation) {
  // 1-D points 0, 1, 10, 11: clusters {0, 1} and {10, 11} with centroids 0.5
  // and 10.5, inertia 4 * 0.5^2 = 1.
  const std::vector<double> points = {0.0, 10.0, 1.0, 11.0};
  KMeansOptions options;
  options.num_clusters = 2;
  options.normalize = false;
  StatusOr<KMeansResult> result = KMeans(MatrixView(points, 4, 1), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_DOUBLE_EQ(result->inertia, 1.0);
  EXPECT_EQ(result->assignments[0], result->assignments[2]);
  EXPECT_EQ(result->assignments[1], result->assignments[3]);
  EXPECT_NE(result->assignments[0], result->assignments[1]);
  const int low = result->assignments[0];
  EXPECT_DOUBLE_EQ(result->centroids[low], 0.5);
  EXPECT_DOUBLE_EQ(result->centroids[1 - low], 10.5);
}

TEST(KMeans, NormalisationClustersByDirection) {
  // Two directions, very different norms. By direction: {0, 1, 2} {3, 4, 5}.
  const std::vector<double> points = {
      1.0,  0.1,   //
      20.0, 1.0,   //
      0.2,  0.01,  //
      0.1,  1.0,   //
      1.0,  25.0,  //
      0.01, 0.3,   //
  };
  KMeansOptions options;
  options.num_clusters = 2;
  StatusOr<KMeansResult> result = KMeans(MatrixView(points, 6, 2), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_DOUBLE_EQ(*AdjustedRandIndex({0, 0, 0, 1, 1, 1}, result->assignments), 1.0);
}

TEST(KMeans, MoreClustersThanDistinctPointsStaysValid) {
  // Four copies of one point, k = 3: no cluster is left empty, inertia 0.
  const std::vector<double> points = {1, 2, 1, 2, 1, 2, 1, 2};
  KMeansOptions options;
  options.num_clusters = 3;
  StatusOr<KMeansResult> result = KMeans(MatrixView(points, 4, 2), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::set<int> used(result->assignments.begin(), result->assignments.end());
  EXPECT_EQ(used, (std::set<int>{0, 1, 2}));
  EXPECT_NEAR(result->inertia, 0.0, 1e-24);
  EXPECT_TRUE(result->converged);
}

TEST(KMeans, InvalidInputs) {
  const std::vector<double> points = {1, 0, 0, 1, 1, 1};
  const MatrixView view(points, 3, 2);
  KMeansOptions options;
  options.num_clusters = 0;
  EXPECT_EQ(KMeans(view, options).status().code(), StatusCode::kInvalidArgument);
  options.num_clusters = 4;  // more than the 3 points
  EXPECT_EQ(KMeans(view, options).status().code(), StatusCode::kInvalidArgument);
  options.num_clusters = 2;
  options.num_restarts = 0;
  EXPECT_EQ(KMeans(view, options).status().code(), StatusCode::kInvalidArgument);
  options.num_restarts = 1;
  options.max_iterations = 0;
  EXPECT_EQ(KMeans(view, options).status().code(), StatusCode::kInvalidArgument);
  options.max_iterations = 10;
  EXPECT_TRUE(KMeans(view, options).ok());

  std::vector<double> zero = points;
  zero[2] = zero[3] = 0.0;
  StatusOr<KMeansResult> zero_row = KMeans(MatrixView(zero, 3, 2), options);
  ASSERT_EQ(zero_row.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(zero_row.status().message().find("row 1"), std::string::npos)
      << zero_row.status().message();
  options.normalize = false;  // a zero row is fine without normalisation
  EXPECT_TRUE(KMeans(MatrixView(zero, 3, 2), options).ok());

  std::vector<double> nan = points;
  nan[4] = std::numeric_limits<double>::quiet_NaN();
  StatusOr<KMeansResult> nan_value = KMeans(MatrixView(nan, 3, 2), options);
  ASSERT_EQ(nan_value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nan_value.status().message().find("points[2, 0] is NaN"), std::string::npos)
      << nan_value.status().message();
  EXPECT_EQ(KMeans(MatrixView(points, 2, 2), options).status().code(),
            StatusCode::kInvalidArgument);  // the buffer holds 6 values, not 4
}

}  // namespace
}  // namespace mosaic::metrics
