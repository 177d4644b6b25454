#include "mosaic/eval/pca.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mosaic::eval {
namespace {

TEST(Pca2d, PointsOnALineGiveTheLineDirection) {
  // Points p = c + t * u in 4-D with u = (1, 2, -2, 4) / 5.
  const double u[4] = {0.2, 0.4, -0.4, 0.8};
  const double c[4] = {1.0, -3.0, 0.5, 2.0};
  std::vector<double> points;
  for (int i = 0; i < 20; ++i) {
    const double t = -3.0 + 0.37 * i;
    for (int k = 0; k < 4; ++k) points.push_back(c[k] + t * u[k]);
  }
  StatusOr<Pca2d> pca = ProjectPca2d(metrics::MatrixView(points, 20, 4));
  ASSERT_TRUE(pca.ok()) << pca.status().ToString();
  // Sign convention: the largest-magnitude entry (0.8) is positive.
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(pca->components[k], u[k], 1e-9);
  EXPECT_NEAR(pca->explained_variance[1], 0.0, 1e-9);
  EXPECT_NEAR(pca->explained_variance[0], pca->total_variance, 1e-9);
  // The first coordinate is t minus its mean; the second is 0.
  for (int i = 0; i < 20; ++i) {
    EXPECT_NEAR(pca->projected[2 * i], -3.0 + 0.37 * i - (-3.0 + 0.37 * 9.5), 1e-9);
    EXPECT_NEAR(pca->projected[2 * i + 1], 0.0, 1e-9);
  }
}

TEST(Pca2d, OrdersComponentsByVarianceAndKeepsThemOrthonormal) {
  // Axis-aligned: variance 9 along dim 2, 1 along dim 0, 0.01 along dim 1.
  std::vector<double> points;
  const double s[3] = {1.0, 0.1, 3.0};
  for (int i = 0; i < 8; ++i) {
    for (int k = 0; k < 3; ++k) points.push_back(s[k] * (((i >> k) & 1) ? 1.0 : -1.0));
  }
  StatusOr<Pca2d> pca = ProjectPca2d(metrics::MatrixView(points, 8, 3));
  ASSERT_TRUE(pca.ok());
  EXPECT_NEAR(std::fabs(pca->components[2]), 1.0, 1e-12);
  EXPECT_NEAR(std::fabs(pca->components[3 + 0]), 1.0, 1e-12);
  EXPECT_GT(pca->explained_variance[0], pca->explained_variance[1]);
  double dot = 0;
  for (int k = 0; k < 3; ++k) dot += pca->components[k] * pca->components[3 + k];
  EXPECT_NEAR(dot, 0.0, 1e-12);
}

TEST(Pca2d, RejectsBadInput) {
  EXPECT_FALSE(ProjectPca2d(metrics::MatrixView()).ok());
  std::vector<double> bad = {1.0, NAN};
  EXPECT_FALSE(ProjectPca2d(metrics::MatrixView(bad, 1, 2)).ok());
  std::vector<float> one = {1.0f, 2.0f};
  EXPECT_TRUE(ProjectPca2d(metrics::MatrixView(one, 1, 2)).ok());
}

}  // namespace
}  // namespace mosaic::eval
