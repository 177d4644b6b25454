#include "mosaic/metrics/knn.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "metrics/checks.h"

namespace mosaic::metrics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Non-empty feature matrices of the same dimension.
Status CheckFeatures(const MatrixView& query, const MatrixView& reference) {
  MOSAIC_RETURN_IF_ERROR(internal::CheckNonEmpty(query, "query"));
  MOSAIC_RETURN_IF_ERROR(internal::CheckNonEmpty(reference, "reference"));
  if (query.cols() != reference.cols()) {
    return Status::InvalidArgument("query " + internal::ShapeString(query) + " and reference " +
                                   internal::ShapeString(reference) +
                                   " must have the same number of columns (feature dimension)");
  }
  return Status::OK();
}

// Multi-hot targets with one row per row of `features`.
Status CheckTargets(const MatrixView& targets, const std::string& what, const MatrixView& features,
                    const std::string& features_name) {
  MOSAIC_RETURN_IF_ERROR(internal::CheckNonEmpty(targets, what));
  if (targets.rows() != features.rows()) {
    return Status::InvalidArgument(what + " " + internal::ShapeString(targets) +
                                   " must have one row per row of " + features_name + " " +
                                   internal::ShapeString(features));
  }
  return internal::CheckBinary(targets, what);
}

// All four inputs of the labelled comparisons.
Status CheckLabelledSets(const MatrixView& query, const MatrixView& query_targets,
                         const MatrixView& reference, const MatrixView& reference_targets) {
  MOSAIC_RETURN_IF_ERROR(CheckFeatures(query, reference));
  MOSAIC_RETURN_IF_ERROR(CheckTargets(query_targets, "query_targets", query, "query"));
  MOSAIC_RETURN_IF_ERROR(
      CheckTargets(reference_targets, "reference_targets", reference, "reference"));
  if (query_targets.cols() != reference_targets.cols()) {
    return Status::InvalidArgument(
        "query_targets " + internal::ShapeString(query_targets) + " and reference_targets " +
        internal::ShapeString(reference_targets) + " must have the same number of classes");
  }
  return Status::OK();
}

// All rows of `matrix`, each scaled to unit L2 norm, row-major.
Status NormalizedRows(const MatrixView& matrix, const std::string& what, std::vector<double>* out) {
  std::vector<size_t> rows(matrix.rows());
  std::iota(rows.begin(), rows.end(), size_t{0});
  return internal::GatherRows(matrix, rows, /*normalize=*/true, what, out);
}

// The unit-norm query and reference rows.
struct CosineSpace {
  size_t num_queries = 0;
  size_t num_references = 0;
  size_t dim = 0;
  std::vector<double> query;      // [Nq, D]
  std::vector<double> reference;  // [Nr, D]

  // similarities[r] = cos(query q, reference r).
  void Similarities(size_t q, std::vector<double>* similarities) const {
    similarities->resize(num_references);
    const double* a = query.data() + q * dim;
    for (size_t r = 0; r < num_references; ++r) {
      const double* b = reference.data() + r * dim;
      double dot = 0.0;
      for (size_t j = 0; j < dim; ++j) dot += a[j] * b[j];
      (*similarities)[r] = dot;
    }
  }
};

StatusOr<CosineSpace> MakeCosineSpace(const MatrixView& query, const MatrixView& reference) {
  CosineSpace space;
  space.num_queries = query.rows();
  space.num_references = reference.rows();
  space.dim = query.cols();
  MOSAIC_RETURN_IF_ERROR(NormalizedRows(query, "query", &space.query));
  MOSAIC_RETURN_IF_ERROR(NormalizedRows(reference, "reference", &space.reference));
  return space;
}

// Puts the `count` highest-ranked reference indices (decreasing similarity,
// ties to the lower index) first in `order`, in rank order. A strict total
// order, so the result never depends on the sort implementation.
void RankReferences(const std::vector<double>& similarities, size_t count,
                    std::vector<size_t>* order) {
  order->resize(similarities.size());
  std::iota(order->begin(), order->end(), size_t{0});
  auto before = [&similarities](size_t a, size_t b) {
    return similarities[a] > similarities[b] || (similarities[a] == similarities[b] && a < b);
  };
  if (count >= order->size()) {
    std::sort(order->begin(), order->end(), before);
  } else {
    std::partial_sort(order->begin(), order->begin() + static_cast<std::ptrdiff_t>(count),
                      order->end(), before);
  }
}

}  // namespace

StatusOr<std::vector<double>> KnnLabelScores(const MatrixView& query, const MatrixView& reference,
                                             const MatrixView& reference_targets, size_t k) {
  MOSAIC_RETURN_IF_ERROR(CheckFeatures(query, reference));
  MOSAIC_RETURN_IF_ERROR(
      CheckTargets(reference_targets, "reference_targets", reference, "reference"));
  if (k == 0) return Status::InvalidArgument("k: expected at least 1 neighbour, got 0");
  StatusOr<CosineSpace> space = MakeCosineSpace(query, reference);
  if (!space.ok()) return space.status();

  const size_t num_classes = reference_targets.cols();
  const size_t neighbours = std::min(k, space->num_references);
  std::vector<double> scores(space->num_queries * num_classes, 0.0);
  std::vector<double> similarities;
  std::vector<size_t> order;
  for (size_t q = 0; q < space->num_queries; ++q) {
    space->Similarities(q, &similarities);
    RankReferences(similarities, neighbours, &order);
    double total_weight = 0.0;
    for (size_t i = 0; i < neighbours; ++i) total_weight += std::max(similarities[order[i]], 0.0);
    double* row = scores.data() + q * num_classes;
    for (size_t i = 0; i < neighbours; ++i) {
      const size_t r = order[i];
      // Unweighted mean when no neighbour has a positive similarity.
      const double weight = total_weight > 0.0 ? std::max(similarities[r], 0.0) / total_weight
                                               : 1.0 / static_cast<double>(neighbours);
      if (weight == 0.0) continue;
      for (size_t c = 0; c < num_classes; ++c) row[c] += weight * reference_targets(r, c);
    }
  }
  return scores;
}

StatusOr<AveragePrecisionResult> KnnAveragePrecision(const MatrixView& query,
                                                     const MatrixView& query_targets,
                                                     const MatrixView& reference,
                                                     const MatrixView& reference_targets,
                                                     size_t k) {
  MOSAIC_RETURN_IF_ERROR(CheckLabelledSets(query, query_targets, reference, reference_targets));
  StatusOr<std::vector<double>> scores = KnnLabelScores(query, reference, reference_targets, k);
  if (!scores.ok()) return scores.status();
  return ComputeAveragePrecision(MatrixView(*scores, query.rows(), reference_targets.cols()),
                                 query_targets);
}

StatusOr<RetrievalResult> RetrievalMeanAveragePrecision(const MatrixView& query,
                                                        const MatrixView& query_targets,
                                                        const MatrixView& reference,
                                                        const MatrixView& reference_targets,
                                                        size_t top_k) {
  MOSAIC_RETURN_IF_ERROR(CheckLabelledSets(query, query_targets, reference, reference_targets));
  StatusOr<CosineSpace> space = MakeCosineSpace(query, reference);
  if (!space.ok()) return space.status();

  const size_t num_classes = query_targets.cols();
  const size_t num_references = space->num_references;
  const size_t depth = top_k == 0 ? num_references : std::min(top_k, num_references);
  RetrievalResult result;
  double sum = 0.0;
  std::vector<char> relevant(num_references);
  std::vector<double> similarities;
  std::vector<size_t> order;
  for (size_t q = 0; q < space->num_queries; ++q) {
    size_t num_relevant = 0;
    for (size_t r = 0; r < num_references; ++r) {
      bool shares = false;
      for (size_t c = 0; c < num_classes && !shares; ++c) {
        shares = query_targets(q, c) == 1.0 && reference_targets(r, c) == 1.0;
      }
      relevant[r] = shares ? 1 : 0;
      num_relevant += shares ? 1 : 0;
    }
    if (num_relevant == 0) {
      ++result.num_skipped_queries;
      continue;
    }
    space->Similarities(q, &similarities);
    RankReferences(similarities, depth, &order);
    size_t hits = 0;
    double precision_sum = 0.0;
    for (size_t i = 0; i < depth; ++i) {
      if (!relevant[order[i]]) continue;
      ++hits;
      precision_sum += static_cast<double>(hits) / static_cast<double>(i + 1);
    }
    sum += precision_sum / static_cast<double>(std::min(depth, num_relevant));
    ++result.num_queries;
  }
  result.mean_average_precision =
      result.num_queries > 0 ? sum / static_cast<double>(result.num_queries) : kNaN;
  return result;
}

}  // namespace mosaic::metrics
