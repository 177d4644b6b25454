// Embedding quality measured against labelled reference samples: k-nearest-
// neighbour multi-label scores (and their mAP) and label-sharing retrieval
// mAP. Both look only at the cosine geometry of the features, so they compare
// feature spaces that no classifier was trained on. Torch-free.
//
// Inputs are row-major MatrixViews:
//   query              [Nq, D] features of the samples being evaluated
//   reference          [Nr, D] features of the labelled reference samples
//   query_targets      [Nq, C] multi-hot labels of the queries
//   reference_targets  [Nr, C] multi-hot labels of the references
// Features may have any non-zero norm: every row is scaled to unit L2 norm
// first, so the similarity is the cosine
//   s(q, r) = <q, r> / (|q| |r|)   in [-1, 1].
// The ranking of the references for a query is by decreasing s(q, r), ties
// broken by the lower reference index (so every result is deterministic and
// independent of the platform's sort).
//
// A query is never removed from the references: pass disjoint sets (e.g. the
// test split as queries and the train split as references), otherwise a
// query finds itself at similarity 1.
//
// Errors (InvalidArgument, naming the argument "query", "reference",
// "query_targets" or "reference_targets"): a buffer that does not match its
// shape, an empty matrix, a non-finite value, a zero feature row (its cosine
// is undefined), row counts of features and targets that differ, feature
// dimensions or class counts that differ, a target not exactly 0 or 1, and
// k == 0.
//
// Thread-safety: pure functions of their arguments.
#ifndef MOSAIC_METRICS_KNN_H_
#define MOSAIC_METRICS_KNN_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/metrics/average_precision.h"
#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::metrics {

// Similarity-weighted k-nearest-neighbour label scores, [Nq, C] row-major.
// For query q let N_k(q) be its k' = min(k, Nr) highest-ranked references
// (ranking above) and w_r = max(s(q, r), 0). Then for every class c
//
//   score(q, c) = sum_{r in N_k(q)} w_r * y(r, c) / sum_{r in N_k(q)} w_r
//
// and, when every w_r is 0 (no neighbour has a positive similarity), the
// unweighted mean score(q, c) = (1 / k') * sum_{r in N_k(q)} y(r, c).
// Scores lie in [0, 1]; a class no neighbour carries scores 0.
//
// Errors: see the file comment (query, reference, reference_targets, k).
// Complexity: O(Nq Nr (D + log k) + Nq k C) time, O((Nq + Nr) D + Nr) memory.
MOSAIC_EXPORT StatusOr<std::vector<double>> KnnLabelScores(const MatrixView& query,
                                                           const MatrixView& reference,
                                                           const MatrixView& reference_targets,
                                                           size_t k);

// kNN multi-label mAP: ComputeAveragePrecision(KnnLabelScores(...),
// query_targets), i.e. per-class AP, macro mAP (over the classes with a
// positive query target; NaN when none has one) and micro mAP exactly as
// average_precision.h defines them.
//
// Errors: those of KnnLabelScores, plus query_targets not [Nq, C].
MOSAIC_EXPORT StatusOr<AveragePrecisionResult> KnnAveragePrecision(
    const MatrixView& query, const MatrixView& query_targets, const MatrixView& reference,
    const MatrixView& reference_targets, size_t k);

struct RetrievalResult {
  // Mean over the used queries of their AP; NaN when no query was used.
  double mean_average_precision = 0.0;
  // Queries with at least one relevant reference: the ones averaged.
  int64_t num_queries = 0;
  // Queries without any relevant reference (left out of the mean).
  int64_t num_skipped_queries = 0;
};

// Label-sharing retrieval mAP. Reference r is relevant to query q when they
// share at least one label (y(q, c) = y(r, c) = 1 for some c); R(q) is the
// number of relevant references. With the references ranked as above, rel(i)
// = 1 when the reference at rank i (1-based) is relevant, and
// K = min(top_k, Nr) (K = Nr when top_k == 0):
//
//   P@i   = (1 / i) * sum_{j <= i} rel(j)
//   AP(q) = sum_{i <= K} rel(i) * P@i / min(K, R(q))
//
// which is the usual (non-interpolated) AP of the full ranking when top_k ==
// 0, and AP@K normalised by the most relevant items K ranks can hold. A query
// with R(q) == 0 (including one without any label) is skipped and counted in
// num_skipped_queries.
//
// Errors: see the file comment.
// Complexity: O(Nq Nr (D + C + log K)) time, O((Nq + Nr) D + Nr) memory.
MOSAIC_EXPORT StatusOr<RetrievalResult> RetrievalMeanAveragePrecision(
    const MatrixView& query, const MatrixView& query_targets, const MatrixView& reference,
    const MatrixView& reference_targets, size_t top_k = 0);

}  // namespace mosaic::metrics

#endif  // MOSAIC_METRICS_KNN_H_
