#include "mosaic/metrics/clustering.h"
#include "mosaic/metrics/dominant_label.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace mosaic::metrics {
namespace {

constexpr double kTolerance = 1e-12;

// Four points at 0, 90, 180 and 270 degrees, deliberately not unit length
// (the cosine distance ignores the norm). Clusters: {0, 90} and {180, 270}.
const std::vector<double> kSquare = {
    2.0,  0.0,   //   0 deg
    0.0,  3.0,   //  90 deg
    -0.5, 0.0,   // 180 deg
    0.0,  -4.0,  // 270 deg
};

TEST(CosineSilhouette, FourPointsOnTheCircle) {
  // d = 1 - cos: 1 between neighbours 90 deg apart, 2 between opposite points.
  // For the point at 0 deg: a = d(0, 90) = 1, b = mean(d(0, 180), d(0, 270))
  // = (2 + 1) / 2 = 3/2, s = (3/2 - 1) / (3/2) = 1/3; by symmetry every
  // point has s = 1/3.
  StatusOr<double> s = CosineSilhouette(MatrixView(kSquare, 4, 2), {0, 0, 1, 1});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_NEAR(*s, 1.0 / 3.0, kTolerance);
  // Label ids are arbitrary.
  StatusOr<double> renamed = CosineSilhouette(MatrixView(kSquare, 4, 2), {7, 7, 3, 3});
  ASSERT_TRUE(renamed.ok());
  EXPECT_NEAR(*renamed, 1.0 / 3.0, kTolerance);
  // The opposite grouping {0, 180}, {90, 270}: a = 2, b = 1, s = -1/2.
  StatusOr<double> bad = CosineSilhouette(MatrixView(kSquare, 4, 2), {0, 1, 0, 1});
  ASSERT_TRUE(bad.ok());
  EXPECT_NEAR(*bad, -0.5, kTolerance);
}

TEST(CosineSilhouette, SingletonClusterScoresZero) {
  // The square plus a fifth point at 45 deg alone in cluster 2.
  // d(45, 0) = d(45, 90) = 1 - 1/sqrt(2); d(45, 180) = d(45, 270) = 1 + 1/sqrt(2).
  //   points 0 and 90:   a = 1, b = min(3/2, 1 - 1/sqrt(2)) -> s = -1/sqrt(2)
  //   points 180 and 270: a = 1, b = min(3/2, 1 + 1/sqrt(2)) = 3/2 -> s = 1/3
  //   point 45: singleton -> s = 0
  // mean = (-2/sqrt(2) + 2/3 + 0) / 5 = (2/3 - sqrt(2)) / 5 ~ -0.1495.
  std::vector<double> points = kSquare;
  points.insert(points.end(), {1.0, 1.0});
  StatusOr<double> s = CosineSilhouette(MatrixView(points, 5, 2), {0, 0, 1, 1, 2});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_NEAR(*s, (2.0 / 3.0 - std::sqrt(2.0)) / 5.0, kTolerance);
}

TEST(CosineSilhouette, UnlabelledSamplesAreLeftOut) {
  std::vector<double> points = kSquare;
  points.insert(points.end(), {1.0, 1.0});
  StatusOr<double> s = CosineSilhouette(MatrixView(points, 5, 2), {0, 0, 1, 1, -1});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_NEAR(*s, 1.0 / 3.0, kTolerance);
  // An unlabelled row may even be zero or NaN: it is never read.
  points[8] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(CosineSilhouette(MatrixView(points, 5, 2), {0, 0, 1, 1, -1}).ok());
}

TEST(CosineSilhouette, SubsamplingIsSeeded) {
  std::vector<double> points;
  std::vector<int> labels;
  for (int i = 0; i < 40; ++i) {
    const double angle = 0.02 * i + (i % 2 == 0 ? 0.0 : 3.0);  // two separated arcs
    points.push_back(std::cos(angle));
    points.push_back(std::sin(angle));
    labels.push_back(i % 2);
  }
  const MatrixView view(points, 40, 2);
  SilhouetteOptions all;
  all.max_samples = 40;  // not fewer than the samples: everything is used
  StatusOr<double> full = CosineSilhouette(view, labels);
  StatusOr<double> full_too = CosineSilhouette(view, labels, all);
  ASSERT_TRUE(full.ok() && full_too.ok());
  EXPECT_EQ(*full, *full_too);

  SilhouetteOptions some;
  some.max_samples = 15;
  some.seed = 7;
  StatusOr<double> a = CosineSilhouette(view, labels, some);
  StatusOr<double> b = CosineSilhouette(view, labels, some);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString();
  EXPECT_EQ(*a, *b);
  EXPECT_GT(*a, 0.0);
  EXPECT_LE(*a, 1.0);
}

TEST(CosineSilhouette, InvalidInputs) {
  const MatrixView square(kSquare, 4, 2);
  // One cluster, or as many clusters as samples.
  StatusOr<double> one = CosineSilhouette(square, {0, 0, 0, 0});
  ASSERT_EQ(one.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(one.status().message().find("1 clusters among 4"), std::string::npos)
      << one.status().message();
  EXPECT_EQ(CosineSilhouette(square, {0, 1, 2, 3}).status().code(), StatusCode::kInvalidArgument);
  // Labels of the wrong length.
  EXPECT_EQ(CosineSilhouette(square, {0, 0, 1}).status().code(), StatusCode::kInvalidArgument);
  // A zero row and a NaN among the labelled samples.
  std::vector<double> zero = kSquare;
  zero[2] = zero[3] = 0.0;
  StatusOr<double> zero_row = CosineSilhouette(MatrixView(zero, 4, 2), {0, 0, 1, 1});
  ASSERT_EQ(zero_row.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(zero_row.status().message().find("row 1"), std::string::npos)
      << zero_row.status().message();
  std::vector<double> nan = kSquare;
  nan[5] = std::numeric_limits<double>::quiet_NaN();
  StatusOr<double> nan_value = CosineSilhouette(MatrixView(nan, 4, 2), {0, 0, 1, 1});
  ASSERT_EQ(nan_value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nan_value.status().message().find("embeddings[2, 1] is NaN"), std::string::npos)
      << nan_value.status().message();
}

TEST(NormalizedMutualInformation, HandExamples) {
  // Identical and renamed labelings.
  EXPECT_DOUBLE_EQ(*NormalizedMutualInformation({0, 0, 1, 1}, {0, 0, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(*NormalizedMutualInformation({0, 0, 1, 1}, {1, 1, 0, 0}), 1.0);
  EXPECT_DOUBLE_EQ(*NormalizedMutualInformation({0, 0, 1, 1, 2}, {5, 5, 9, 9, 3}), 1.0);
  // [0,0,1,1] vs [0,0,1,2]: H(U) = ln 2, H(V) = -(1/2 ln 1/2 + 2 * 1/4 ln 1/4)
  // = 3/2 ln 2; I = 1/2 ln(1/2 / (1/2 * 1/2)) + 2 * 1/4 ln(1/4 / (1/2 * 1/4))
  // = ln 2; NMI = ln 2 / ((ln 2 + 3/2 ln 2) / 2) = 1 / 1.25 = 0.8.
  EXPECT_NEAR(*NormalizedMutualInformation({0, 0, 1, 1}, {0, 0, 1, 2}), 0.8, kTolerance);
  EXPECT_NEAR(*NormalizedMutualInformation({0, 0, 1, 2}, {0, 0, 1, 1}), 0.8, kTolerance);
  // [0,0,0,1,1,1] vs [0,0,1,1,2,2]: cells (0,0)=2, (0,1)=1, (1,1)=1, (1,2)=2;
  // I = 2 * 1/3 ln((1/3) / (1/2 * 1/3)) + 2 * 1/6 ln((1/6) / (1/2 * 1/3))
  // = 2/3 ln 2; H(U) = ln 2, H(V) = ln 3; NMI = (2/3 ln 2) / (ln 6 / 2).
  EXPECT_NEAR(*NormalizedMutualInformation({0, 0, 0, 1, 1, 1}, {0, 0, 1, 1, 2, 2}),
              4.0 * std::log(2.0) / (3.0 * std::log(6.0)), kTolerance);
  // Independent labelings and a fully split class: I = 0.
  EXPECT_EQ(*NormalizedMutualInformation({0, 0, 1, 1}, {0, 1, 0, 1}), 0.0);
  EXPECT_EQ(*NormalizedMutualInformation({0, 0, 0, 0}, {0, 1, 2, 3}), 0.0);
  // Neither labeling splits the data: 1 (scikit-learn's limit case).
  EXPECT_EQ(*NormalizedMutualInformation({0, 0, 0}, {4, 4, 4}), 1.0);
  // Negative labels are left out.
  EXPECT_NEAR(*NormalizedMutualInformation({0, 0, 1, -1, 1}, {0, 0, 1, 0, 2}), 0.8, kTolerance);
  EXPECT_NEAR(*NormalizedMutualInformation({0, 0, 1, 1, 1}, {0, 0, 1, 2, -1}), 0.8, kTolerance);
}

TEST(AdjustedRandIndex, HandExamples) {
  EXPECT_DOUBLE_EQ(*AdjustedRandIndex({0, 0, 1, 1}, {0, 0, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(*AdjustedRandIndex({0, 0, 1, 1}, {1, 1, 0, 0}), 1.0);
  // [0,0,1,1] vs [0,0,1,2] (scikit-learn's example, 0.5714...): with pair
  // counts, sum C(n_ij, 2) = 1, sum C(a_i, 2) = 2, sum C(b_j, 2) = 1, C(4, 2) = 6:
  // expected = 2 * 1 / 6 = 1/3, max = (2 + 1) / 2 = 3/2,
  // ARI = (1 - 1/3) / (3/2 - 1/3) = 4/7.
  EXPECT_DOUBLE_EQ(*AdjustedRandIndex({0, 0, 1, 1}, {0, 0, 1, 2}), 4.0 / 7.0);
  EXPECT_DOUBLE_EQ(*AdjustedRandIndex({0, 0, 1, 2}, {0, 0, 1, 1}), 4.0 / 7.0);
  // A fully split class: index = expected = 0 -> 0.
  EXPECT_EQ(*AdjustedRandIndex({0, 0, 0, 0}, {0, 1, 2, 3}), 0.0);
  // Discordant labelings go negative: index 0, expected 2 * 2 / 6 = 2/3,
  // max 2: (0 - 2/3) / (2 - 2/3) = -1/2.
  EXPECT_DOUBLE_EQ(*AdjustedRandIndex({0, 0, 1, 1}, {0, 1, 0, 1}), -0.5);
  // Both trivial (one cluster, or all singletons): identical partitions.
  EXPECT_EQ(*AdjustedRandIndex({0, 0, 0}, {1, 1, 1}), 1.0);
  EXPECT_EQ(*AdjustedRandIndex({0, 1, 2}, {2, 0, 1}), 1.0);
  // Negative labels are left out.
  EXPECT_DOUBLE_EQ(*AdjustedRandIndex({0, -1, 0, 1, 1}, {0, 3, 0, 1, 2}), 4.0 / 7.0);
}

// n choose 2.
double Pairs(double n) { return n * (n - 1.0) / 2.0; }

TEST(AdjustedRandIndex, AgreesWithTheTextbookFormulasOnRandomLabelings) {
  // Hubert & Arabie's ARI from pair counts and NMI from its definition,
  // computed naively from a dense contingency table.
  uint64_t state = 12345;
  auto next = [&state](int n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % static_cast<uint64_t>(n));
  };
  for (int trial = 0; trial < 20; ++trial) {
    const int n = 30 + next(50);
    const int r = 2 + next(4);
    const int s = 2 + next(5);
    std::vector<int> u(n), v(n);
    std::vector<std::vector<double>> table(r, std::vector<double>(s, 0.0));
    for (int i = 0; i < n; ++i) {
      u[i] = next(r);
      v[i] = next(3) == 0 ? u[i] % s : next(s);  // correlated with u
      table[u[i]][v[i]] += 1.0;
    }
    std::vector<double> a(r, 0.0), b(s, 0.0);
    double index = 0.0;
    for (int i = 0; i < r; ++i) {
      for (int j = 0; j < s; ++j) {
        a[i] += table[i][j];
        b[j] += table[i][j];
        index += Pairs(table[i][j]);
      }
    }
    double sum_a = 0.0, sum_b = 0.0, h_u = 0.0, h_v = 0.0, mi = 0.0;
    for (double x : a) {
      sum_a += Pairs(x);
      if (x > 0) h_u -= x / n * std::log(x / n);
    }
    for (double y : b) {
      sum_b += Pairs(y);
      if (y > 0) h_v -= y / n * std::log(y / n);
    }
    for (int i = 0; i < r; ++i) {
      for (int j = 0; j < s; ++j) {
        const double p = table[i][j] / n;
        if (p > 0) mi += p * std::log(p / (a[i] / n * b[j] / n));
      }
    }
    const double expected = sum_a * sum_b / Pairs(n);
    const double ari = (index - expected) / ((sum_a + sum_b) / 2.0 - expected);
    StatusOr<double> got_ari = AdjustedRandIndex(u, v);
    StatusOr<double> got_nmi = NormalizedMutualInformation(u, v);
    ASSERT_TRUE(got_ari.ok() && got_nmi.ok());
    EXPECT_NEAR(*got_ari, ari, 1e-12) << trial;
    EXPECT_NEAR(*got_nmi, mi / ((h_u + h_v) / 2.0), 1e-12) << trial;
    // Both are symmetric.
    EXPECT_NEAR(*AdjustedRandIndex(v, u), *got_ari, 1e-12);
    EXPECT_NEAR(*NormalizedMutualInformation(v, u), *got_nmi, 1e-12);
  }
}

TEST(AdjustedRandIndex, InvalidInputs) {
  EXPECT_EQ(AdjustedRandIndex({0, 1}, {0, 1, 1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizedMutualInformation({0, 1}, {0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AdjustedRandIndex({-1, 0}, {0, -1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizedMutualInformation({}, {}).status().code(), StatusCode::kInvalidArgument);
}

// Three tight bundles of directions in 4-D, interleaved, 6 points each, with
// varying norms.
void MakeBundles(std::vector<float>* points, std::vector<int>* labels) {
  for (int i = 0; i < 18; ++i) {
    const int cluster = i % 3;
    const float scale = 1.0f + static_cast<float>(i);
    float row[4] = {0.05f * static_cast<float>(i % 5), 0.03f * static_cast<float>(i % 4),
                    0.02f * static_cast<float>(i % 3), 0.04f * static_cast<float>(i % 2)};
    row[cluster] += 1.0f;
    for (float v : row) points->push_back(scale * v);
    labels->push_back(10 + cluster);
  }
}

TEST(ClusterCoherence, WellSeparatedEmbeddings) {
  std::vector<float> points;
  std::vector<int> labels;
  MakeBundles(&points, &labels);
  // Two unlabelled samples, left out.
  points.insert(points.end(), {1.0f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f});
  labels.push_back(kNoLabel);
  labels.push_back(kNoLabel);
  StatusOr<ClusterCoherence> coherence =
      EvaluateClusterCoherence(MatrixView(points, 20, 4), labels);
  ASSERT_TRUE(coherence.ok()) << coherence.status().ToString();
  EXPECT_EQ(coherence->num_samples, 20);
  EXPECT_EQ(coherence->num_labelled, 18);
  EXPECT_EQ(coherence->num_clusters, 3);
  EXPECT_GT(coherence->silhouette, 0.8);
  EXPECT_DOUBLE_EQ(coherence->kmeans_nmi, 1.0);
  EXPECT_DOUBLE_EQ(coherence->kmeans_ari, 1.0);
  EXPECT_TRUE(coherence->kmeans_converged);
}

TEST(ClusterCoherence, NeedsTwoLabels) {
  std::vector<float> points;
  std::vector<int> labels;
  MakeBundles(&points, &labels);
  std::vector<int> one_label(labels.size(), 4);
  EXPECT_EQ(EvaluateClusterCoherence(MatrixView(points, 18, 4), one_label).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mosaic::metrics
