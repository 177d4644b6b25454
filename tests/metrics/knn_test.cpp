#include "mosaic/metrics/knn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace mosaic::metrics {
namespace {

constexpr double kTolerance = 1e-12;

// Four 2-D references (normalised by the functions) and their two labels:
//   r0 = (1, 0)   labels [1, 0]
//   r1 = (0, 1)   labels [0, 1]
//   r2 = (1, 1)   labels [0, 1]   unit vector (a, a), a = 1/sqrt(2)
//   r3 = (-1, 0)  labels [0, 1]
const std::vector<double> kReference = {1.0, 0.0, 0.0, 1.0, 1.0, 1.0, -1.0, 0.0};
const std::vector<uint8_t> kReferenceTargets = {1, 0, 0, 1, 0, 1, 0, 1};

// Four queries (not unit length on purpose).
const std::vector<double> kQuery = {1.0, 0.0, 0.0, 2.0, -1.0, -1.0, 0.0, -1.0};

TEST(KnnLabelScores, HandComputedTwoNeighbours) {
  // k = 2, a = 1/sqrt(2), weights w = max(cos, 0):
  //   q0 = (1, 0):   cos = (1, 0, a, -1)  -> r0 (w 1), r2 (w a)
  //                  score = (1 * [1, 0] + a * [0, 1]) / (1 + a)
  //                        = (2 - sqrt(2), sqrt(2) - 1) ~ (0.5858, 0.4142)
  //   q1 = (0, 2):   cos = (0, 1, a, 0)   -> r1 (w 1), r2 (w a), both [0, 1]
  //                  score = (0, 1)
  //   q2 = (-1, -1): cos = (-a, -a, -1, a) -> r3 (w a), then r0 (w 0; r0 and r1
  //                  tie at -a, the lower index wins): score = r3's = (0, 1)
  //   q3 = (0, -1):  cos = (0, -1, -a, 0) -> r0, r3 (tie at 0), all weights 0:
  //                  unweighted mean ([1, 0] + [0, 1]) / 2 = (0.5, 0.5)
  StatusOr<std::vector<double>> scores =
      KnnLabelScores(MatrixView(kQuery, 4, 2), MatrixView(kReference, 4, 2),
                     MatrixView(kReferenceTargets, 4, 2), 2);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  const double sqrt2 = std::sqrt(2.0);
  const std::vector<double> expected = {2.0 - sqrt2, sqrt2 - 1.0, 0.0, 1.0, 0.0, 1.0, 0.5, 0.5};
  ASSERT_EQ(scores->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR((*scores)[i], expected[i], kTolerance) << "element " << i;
  }
}

TEST(KnnAveragePrecision, IsTheMapOfTheKnnScores) {
  // Query targets q0 [1, 0], q1 [0, 1], q2 [1, 1], q3 [0, 1] against the scores
  // of HandComputedTwoNeighbours:
  //   class 0: scores (0.586, 0, 0, 0.5), targets (1, 0, 1, 0): q0 (+) at
  //            P = 1, R = 1/2; q3 (-); then q1, q2 tied at 0 (one +):
  //            P = 2/4, R = 1.  AP = 1/2 * 1 + 1/2 * 1/2 = 3/4
  //   class 1: scores (0.414, 1, 1, 0.5), targets (0, 1, 1, 1): the three
  //            positives rank first, AP = 1
  //   macro = 7/8
  //   micro over the 8 decisions (5 positives): q1c1, q2c1 (+ +) P = 1;
  //            q0c0 (+) P = 1; q3c0, q3c1 tied (- +) P = 4/5; q0c1 (-);
  //            q1c0, q2c0 tied (- +) P = 5/8.
  //            AP = 2/5 + 1/5 + 1/5 * 4/5 + 1/5 * 5/8 = 0.885
  const std::vector<uint8_t> query_targets = {1, 0, 0, 1, 1, 1, 0, 1};
  StatusOr<AveragePrecisionResult> ap =
      KnnAveragePrecision(MatrixView(kQuery, 4, 2), MatrixView(query_targets, 4, 2),
                          MatrixView(kReference, 4, 2), MatrixView(kReferenceTargets, 4, 2), 2);
  ASSERT_TRUE(ap.ok()) << ap.status().ToString();
  EXPECT_NEAR(ap->per_class[0], 0.75, kTolerance);
  EXPECT_NEAR(ap->per_class[1], 1.0, kTolerance);
  EXPECT_NEAR(ap->macro, 7.0 / 8.0, kTolerance);
  EXPECT_NEAR(ap->micro, 0.885, kTolerance);
}

TEST(KnnAveragePrecision, ClassWithoutPositiveQueryIsLeftOutOfMacro) {
  // No query carries class 0: its AP is NaN (average_precision.h) and macro
  // is class 1's AP alone.
  const std::vector<uint8_t> query_targets = {0, 1, 0, 1, 0, 1, 0, 0};
  StatusOr<AveragePrecisionResult> ap =
      KnnAveragePrecision(MatrixView(kQuery, 4, 2), MatrixView(query_targets, 4, 2),
                          MatrixView(kReference, 4, 2), MatrixView(kReferenceTargets, 4, 2), 2);
  ASSERT_TRUE(ap.ok()) << ap.status().ToString();
  EXPECT_TRUE(std::isnan(ap->per_class[0]));
  EXPECT_EQ(ap->num_classes_without_positives, 1);
  EXPECT_DOUBLE_EQ(ap->macro, ap->per_class[1]);
}

TEST(KnnLabelScores, TiesGoToTheLowerReferenceIndex) {
  // Two references in the same direction (identical cosine to every query)
  // with different labels: with k = 1 the lower index is the neighbour.
  const std::vector<double> reference = {2.0, 0.0, 1.0, 0.0};
  const std::vector<uint8_t> targets = {1, 0, 0, 1};
  const std::vector<double> query = {1.0, 0.0,    // cos 1 to both
                                     -1.0, 0.0};  // cos -1 to both: unweighted
  StatusOr<std::vector<double>> scores = KnnLabelScores(
      MatrixView(query, 2, 2), MatrixView(reference, 2, 2), MatrixView(targets, 2, 2), 1);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  EXPECT_EQ(*scores, (std::vector<double>{1.0, 0.0, 1.0, 0.0}));

  // The same references in the other order: the other labels win.
  const std::vector<double> swapped = {1.0, 0.0, 2.0, 0.0};
  const std::vector<uint8_t> swapped_targets = {0, 1, 1, 0};
  scores = KnnLabelScores(MatrixView(query, 2, 2), MatrixView(swapped, 2, 2),
                          MatrixView(swapped_targets, 2, 2), 1);
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ(*scores, (std::vector<double>{0.0, 1.0, 0.0, 1.0}));
}

TEST(KnnLabelScores, KLargerThanTheReferencesUsesThemAll) {
  // k = 10 > Nr = 4 behaves as k = 4. For q3 = (0, -1) every weight is 0, so
  // the unweighted mean runs over the 4 references, not over k = 10:
  // ([1,0] + [0,1] + [0,1] + [0,1]) / 4 = (0.25, 0.75).
  const MatrixView query(kQuery, 4, 2), reference(kReference, 4, 2);
  const MatrixView targets(kReferenceTargets, 4, 2);
  StatusOr<std::vector<double>> large = KnnLabelScores(query, reference, targets, 10);
  StatusOr<std::vector<double>> all = KnnLabelScores(query, reference, targets, 4);
  ASSERT_TRUE(large.ok() && all.ok()) << large.status().ToString();
  EXPECT_EQ(*large, *all);
  EXPECT_NEAR((*large)[6], 0.25, kTolerance);
  EXPECT_NEAR((*large)[7], 0.75, kTolerance);
}

// Retrieval: three classes; references in shuffled index order.
//   index 0: (0, 1)   labels [1, 1, 0]
//   index 1: (-1, 0)  labels [0, 1, 0]
//   index 2: (1, 0)   labels [1, 0, 0]
//   index 3: (3, 4)   labels [0, 1, 0]   unit (0.6, 0.8)
const std::vector<double> kRetrievalReference = {0.0, 1.0, -1.0, 0.0, 1.0, 0.0, 3.0, 4.0};
const std::vector<uint8_t> kRetrievalTargets = {1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0};

TEST(RetrievalMeanAveragePrecision, HandComputedRanking) {
  // Query (1, 0) with labels [1, 0, 0]: cos = (0, -1, 1, 0.6), ranking
  // 2 (rel), 3, 0 (rel), 1: relevant at ranks 1 and 3 of 4,
  // AP = (1/1 + 2/3) / 2 = 5/6.
  const std::vector<double> query = {1.0, 0.0};
  const std::vector<uint8_t> query_targets = {1, 0, 0};
  const MatrixView q(query, 1, 2), qt(query_targets, 1, 3);
  const MatrixView r(kRetrievalReference, 4, 2), rt(kRetrievalTargets, 4, 3);
  StatusOr<RetrievalResult> full = RetrievalMeanAveragePrecision(q, qt, r, rt);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_NEAR(full->mean_average_precision, 5.0 / 6.0, kTolerance);
  EXPECT_EQ(full->num_queries, 1);
  EXPECT_EQ(full->num_skipped_queries, 0);

  // AP@2: only rank 1 is relevant among the top 2; normalised by
  // min(2, R = 2) = 2: 1/2. AP@1: 1 / min(1, 2) = 1. AP@4 (and beyond) =
  // the full ranking.
  StatusOr<RetrievalResult> at2 = RetrievalMeanAveragePrecision(q, qt, r, rt, 2);
  StatusOr<RetrievalResult> at1 = RetrievalMeanAveragePrecision(q, qt, r, rt, 1);
  StatusOr<RetrievalResult> at9 = RetrievalMeanAveragePrecision(q, qt, r, rt, 9);
  ASSERT_TRUE(at2.ok() && at1.ok() && at9.ok());
  EXPECT_NEAR(at2->mean_average_precision, 0.5, kTolerance);
  EXPECT_NEAR(at1->mean_average_precision, 1.0, kTolerance);
  EXPECT_NEAR(at9->mean_average_precision, 5.0 / 6.0, kTolerance);
}

TEST(RetrievalMeanAveragePrecision, QueriesWithoutRelevantReferenceAreSkipped) {
  //   query 0: (1, 0), labels [1, 0, 0]: AP 5/6 (HandComputedRanking)
  //   query 1: (-1, 0), labels [0, 1, 0]: cos = (0, 1, -1, -0.6), ranking
  //            1 (rel), 0 (rel), 3 (rel), 2: AP = 1
  //   query 2: labels [0, 0, 1], a class no reference has: skipped
  //   query 3: no label at all: skipped
  // mean over the 2 used queries = (5/6 + 1) / 2 = 11/12.
  const std::vector<double> query = {1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 1.0, 1.0};
  const std::vector<uint8_t> query_targets = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
  StatusOr<RetrievalResult> result = RetrievalMeanAveragePrecision(
      MatrixView(query, 4, 2), MatrixView(query_targets, 4, 3),
      MatrixView(kRetrievalReference, 4, 2), MatrixView(kRetrievalTargets, 4, 3));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_NEAR(result->mean_average_precision, 11.0 / 12.0, kTolerance);
  EXPECT_EQ(result->num_queries, 2);
  EXPECT_EQ(result->num_skipped_queries, 2);

  // Only skipped queries: NaN, not an error.
  StatusOr<RetrievalResult> none = RetrievalMeanAveragePrecision(
      MatrixView(query.data() + 4, 2, 2), MatrixView(query_targets.data() + 6, 2, 3),
      MatrixView(kRetrievalReference, 4, 2), MatrixView(kRetrievalTargets, 4, 3));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(std::isnan(none->mean_average_precision));
  EXPECT_EQ(none->num_queries, 0);
  EXPECT_EQ(none->num_skipped_queries, 2);
}

TEST(RetrievalMeanAveragePrecision, TiesRankTheLowerIndexFirst) {
  // Both references have cosine 1 to the query; only the one at index 1 is
  // relevant, so it ranks second: AP = 1/2. Swapped, it ranks first: AP = 1.
  const std::vector<double> query = {1.0, 0.0};
  const std::vector<uint8_t> query_targets = {1};
  const std::vector<double> reference = {1.0, 0.0, 2.0, 0.0};
  StatusOr<RetrievalResult> second = RetrievalMeanAveragePrecision(
      MatrixView(query, 1, 2), MatrixView(query_targets, 1, 1), MatrixView(reference, 2, 2),
      MatrixView(std::vector<uint8_t>{0, 1}, 2, 1));
  StatusOr<RetrievalResult> first = RetrievalMeanAveragePrecision(
      MatrixView(query, 1, 2), MatrixView(query_targets, 1, 1), MatrixView(reference, 2, 2),
      MatrixView(std::vector<uint8_t>{1, 0}, 2, 1));
  ASSERT_TRUE(second.ok() && first.ok());
  EXPECT_NEAR(second->mean_average_precision, 0.5, kTolerance);
  EXPECT_NEAR(first->mean_average_precision, 1.0, kTolerance);
}

// InvalidArgument whose message names `argument`.
void ExpectInvalid(const Status& status, const std::string& argument) {
  ASSERT_FALSE(status.ok()) << "expected an error naming " << argument;
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find(argument), std::string::npos) << status.message();
}

TEST(KnnMetrics, BadInputsAreInvalidArgumentNamingTheArgument) {
  const MatrixView query(kQuery, 4, 2), reference(kReference, 4, 2);
  const MatrixView targets(kReferenceTargets, 4, 2);
  const std::vector<uint8_t> query_targets = {1, 0, 0, 1, 1, 1, 0, 1};
  const MatrixView qt(query_targets, 4, 2);

  // Feature dimensions differ.
  const std::vector<double> wide = {1.0, 0.0, 0.0, 0.0, 1.0, 0.0};
  ExpectInvalid(KnnLabelScores(MatrixView(wide, 2, 3), reference, targets, 2).status(), "query");
  // Reference targets with the wrong number of rows.
  ExpectInvalid(KnnLabelScores(query, reference, MatrixView(kReferenceTargets, 2, 4), 2).status(),
                "reference_targets");
  // A buffer that does not match its shape.
  ExpectInvalid(KnnLabelScores(query, MatrixView(kReference, 5, 2), targets, 2).status(),
                "reference");
  // k == 0.
  ExpectInvalid(KnnLabelScores(query, reference, targets, 0).status(), "k");
  // Empty query.
  ExpectInvalid(KnnLabelScores(MatrixView(), reference, targets, 2).status(), "query");
  // A zero reference row has no cosine.
  const std::vector<double> zero_row = {1.0, 0.0, 0.0, 0.0, 1.0, 1.0, -1.0, 0.0};
  ExpectInvalid(KnnLabelScores(query, MatrixView(zero_row, 4, 2), targets, 2).status(),
                "reference row 1");
  // A non-finite feature.
  const std::vector<double> nan_query = {1.0, std::nan(""), 0.0, 1.0};
  ExpectInvalid(KnnLabelScores(MatrixView(nan_query, 2, 2), reference, targets, 2).status(),
                "query[0, 1]");
  // Targets that are not multi-hot.
  const std::vector<uint8_t> not_binary = {1, 0, 0, 2, 0, 1, 0, 1};
  ExpectInvalid(KnnLabelScores(query, reference, MatrixView(not_binary, 4, 2), 2).status(),
                "reference_targets[1, 1]");

  // Query targets: wrong rows, wrong class count.
  ExpectInvalid(
      KnnAveragePrecision(query, MatrixView(query_targets, 2, 4), reference, targets, 2).status(),
      "query_targets");
  const std::vector<uint8_t> three_classes(12, 0);
  ExpectInvalid(
      KnnAveragePrecision(query, MatrixView(three_classes, 4, 3), reference, targets, 2).status(),
      "query_targets");
  ExpectInvalid(
      RetrievalMeanAveragePrecision(query, MatrixView(three_classes, 4, 3), reference, targets)
          .status(),
      "query_targets");
  ExpectInvalid(
      RetrievalMeanAveragePrecision(MatrixView(wide, 2, 3), qt, reference, targets).status(),
      "query");
  ExpectInvalid(
      RetrievalMeanAveragePrecision(query, qt, MatrixView(zero_row, 4, 2), targets).status(),
      "reference row 1");
}

}  // namespace
}  // namespace mosaic::metrics
