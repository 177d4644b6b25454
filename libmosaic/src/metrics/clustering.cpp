#include "mosaic/metrics/clustering.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>

#include "metrics/checks.h"
#include "metrics/rng.h"
#include "mosaic/metrics/kmeans.h"

namespace mosaic::metrics {
namespace {

// Replaces arbitrary label ids by 0..K-1 in increasing id order; returns K.
int Densify(std::vector<int>* labels) {
  std::vector<int> ids = *labels;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (int& label : *labels) {
    label = static_cast<int>(std::lower_bound(ids.begin(), ids.end(), label) - ids.begin());
  }
  return static_cast<int>(ids.size());
}

// Indices of the samples with a label >= 0.
std::vector<size_t> LabelledRows(const std::vector<int>& labels) {
  std::vector<size_t> rows;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= 0) rows.push_back(i);
  }
  return rows;
}

Status CheckEmbeddingsAndLabels(const MatrixView& embeddings, const std::vector<int>& labels) {
  MOSAIC_RETURN_IF_ERROR(embeddings.CheckStorage("embeddings"));
  if (embeddings.cols() == 0) {
    return Status::InvalidArgument("embeddings: expected at least one dimension, got " +
                                   internal::ShapeString(embeddings));
  }
  if (embeddings.rows() != labels.size()) {
    return Status::InvalidArgument("embeddings has " + std::to_string(embeddings.rows()) +
                                   " rows but labels has " + std::to_string(labels.size()) +
                                   " entries");
  }
  return Status::OK();
}

// The non-zero cells of the contingency table of two labelings (samples
// negative in either left out), with dense ids.
struct Contingency {
  int64_t num_samples = 0;
  std::vector<int64_t> row_sums;              // [classes] of labels_true
  std::vector<int64_t> column_sums;           // [clusters] of labels_pred
  std::vector<int64_t> cells;                 // non-zero n_ij
  std::vector<std::pair<int, int>> cell_ids;  // (i, j) of each cell
};

StatusOr<Contingency> BuildContingency(const std::vector<int>& labels_true,
                                       const std::vector<int>& labels_pred) {
  if (labels_true.size() != labels_pred.size()) {
    return Status::InvalidArgument("labels_true has " + std::to_string(labels_true.size()) +
                                   " entries but labels_pred has " +
                                   std::to_string(labels_pred.size()));
  }
  std::vector<int> truth;
  std::vector<int> pred;
  for (size_t i = 0; i < labels_true.size(); ++i) {
    if (labels_true[i] < 0 || labels_pred[i] < 0) continue;
    truth.push_back(labels_true[i]);
    pred.push_back(labels_pred[i]);
  }
  if (truth.empty()) {
    return Status::InvalidArgument(
        "no sample is labelled (>= 0) in both labels_true and labels_pred");
  }
  Contingency table;
  table.num_samples = static_cast<int64_t>(truth.size());
  table.row_sums.assign(static_cast<size_t>(Densify(&truth)), 0);
  table.column_sums.assign(static_cast<size_t>(Densify(&pred)), 0);
  std::vector<std::pair<int, int>> pairs(truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    pairs[i] = {truth[i], pred[i]};
    ++table.row_sums[static_cast<size_t>(truth[i])];
    ++table.column_sums[static_cast<size_t>(pred[i])];
  }
  std::sort(pairs.begin(), pairs.end());
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i == 0 || pairs[i] != pairs[i - 1]) {
      table.cell_ids.push_back(pairs[i]);
      table.cells.push_back(0);
    }
    ++table.cells.back();
  }
  return table;
}

// Shannon entropy (natural log) of a labeling given its cluster sizes.
double Entropy(const std::vector<int64_t>& sizes, int64_t total) {
  const double log_total = std::log(static_cast<double>(total));
  double entropy = 0.0;
  for (int64_t size : sizes) {
    const double p = static_cast<double>(size) / static_cast<double>(total);
    entropy -= p * (std::log(static_cast<double>(size)) - log_total);
  }
  return entropy;
}

}  // namespace

StatusOr<double> CosineSilhouette(const MatrixView& embeddings, const std::vector<int>& labels,
                                  const SilhouetteOptions& options) {
  MOSAIC_RETURN_IF_ERROR(CheckEmbeddingsAndLabels(embeddings, labels));
  std::vector<size_t> rows = LabelledRows(labels);
  if (options.max_samples > 0 && options.max_samples < rows.size()) {
    // Partial Fisher-Yates: the first max_samples entries become a uniform
    // random subset; sorted back so the sums run in row order.
    internal::Rng rng(options.seed);
    for (size_t i = 0; i < options.max_samples; ++i) {
      const size_t j = i + static_cast<size_t>(rng.UniformIndex(rows.size() - i));
      std::swap(rows[i], rows[j]);
    }
    rows.resize(options.max_samples);
    std::sort(rows.begin(), rows.end());
  }
  const size_t n = rows.size();
  std::vector<int> cluster(n);
  for (size_t i = 0; i < n; ++i) cluster[i] = labels[rows[i]];
  const size_t num_clusters = static_cast<size_t>(Densify(&cluster));
  if (num_clusters < 2 || num_clusters + 1 > n) {
    return Status::InvalidArgument(
        "silhouette needs 2 to n - 1 clusters among the n labelled samples used; got " +
        std::to_string(num_clusters) + " clusters among " + std::to_string(n) + " samples");
  }

  std::vector<double> unit;
  MOSAIC_RETURN_IF_ERROR(internal::GatherRows(embeddings, rows, true, "embeddings", &unit));
  const size_t d = embeddings.cols();
  // distance_sums[i * K + c]: sum of the distances from sample i to the
  // members of cluster c.
  std::vector<double> distance_sums(n * num_clusters, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const double* x = unit.data() + i * d;
    for (size_t j = i + 1; j < n; ++j) {
      const double* y = unit.data() + j * d;
      double dot = 0.0;
      for (size_t k = 0; k < d; ++k) dot += x[k] * y[k];
      const double distance = std::clamp(1.0 - dot, 0.0, 2.0);
      distance_sums[i * num_clusters + static_cast<size_t>(cluster[j])] += distance;
      distance_sums[j * num_clusters + static_cast<size_t>(cluster[i])] += distance;
    }
  }
  std::vector<int64_t> sizes(num_clusters, 0);
  for (int c : cluster) ++sizes[static_cast<size_t>(c)];

  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const size_t own = static_cast<size_t>(cluster[i]);
    if (sizes[own] < 2) continue;  // s = 0 for a singleton cluster
    const double* sums = distance_sums.data() + i * num_clusters;
    const double a = sums[own] / static_cast<double>(sizes[own] - 1);
    double b = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < num_clusters; ++c) {
      if (c != own) b = std::min(b, sums[c] / static_cast<double>(sizes[c]));
    }
    const double denominator = std::max(a, b);
    if (denominator > 0.0) total += (b - a) / denominator;
  }
  return total / static_cast<double>(n);
}

StatusOr<double> NormalizedMutualInformation(const std::vector<int>& labels_true,
                                             const std::vector<int>& labels_pred) {
  StatusOr<Contingency> table_or = BuildContingency(labels_true, labels_pred);
  MOSAIC_RETURN_IF_ERROR(table_or.status());
  const Contingency& table = *table_or;
  const size_t num_classes = table.row_sums.size();
  const size_t num_clusters = table.column_sums.size();
  // Neither labeling splits the data: a perfect match (scikit-learn's limit).
  if (num_classes == 1 && num_clusters == 1) return 1.0;
  // One side constant and the other not: I = 0.
  if (num_classes == 1 || num_clusters == 1) return 0.0;

  const double total = static_cast<double>(table.num_samples);
  const double log_total = std::log(total);
  double mutual_information = 0.0;
  for (size_t k = 0; k < table.cells.size(); ++k) {
    const double cell = static_cast<double>(table.cells[k]);
    const double row = static_cast<double>(table.row_sums[table.cell_ids[k].first]);
    const double column = static_cast<double>(table.column_sums[table.cell_ids[k].second]);
    mutual_information +=
        cell / total * (std::log(cell) + log_total - std::log(row) - std::log(column));
  }
  if (!(mutual_information > 0.0)) return 0.0;
  const double normaliser = 0.5 * (Entropy(table.row_sums, table.num_samples) +
                                   Entropy(table.column_sums, table.num_samples));
  return std::clamp(mutual_information / normaliser, 0.0, 1.0);
}

StatusOr<double> AdjustedRandIndex(const std::vector<int>& labels_true,
                                   const std::vector<int>& labels_pred) {
  StatusOr<Contingency> table_or = BuildContingency(labels_true, labels_pred);
  MOSAIC_RETURN_IF_ERROR(table_or.status());
  const Contingency& table = *table_or;
  // Pair-confusion counts over ordered pairs of distinct samples, as
  // scikit-learn's pair_confusion_matrix.
  auto sum_of_squares = [](const std::vector<int64_t>& values) {
    long double sum = 0.0L;
    for (int64_t value : values) sum += static_cast<long double>(value) * value;
    return sum;
  };
  const long double n = static_cast<long double>(table.num_samples);
  const long double cells_squared = sum_of_squares(table.cells);
  const long double true_positives = cells_squared - n;
  const long double false_positives = sum_of_squares(table.column_sums) - cells_squared;
  const long double false_negatives = sum_of_squares(table.row_sums) - cells_squared;
  const long double true_negatives = n * n - false_positives - false_negatives - cells_squared;
  if (false_positives == 0.0L && false_negatives == 0.0L) return 1.0;
  const long double numerator =
      2.0L * (true_positives * true_negatives - false_negatives * false_positives);
  const long double denominator =
      (true_positives + false_negatives) * (false_negatives + true_negatives) +
      (true_positives + false_positives) * (false_positives + true_negatives);
  return static_cast<double>(numerator / denominator);
}

StatusOr<ClusterCoherence> EvaluateClusterCoherence(const MatrixView& embeddings,
                                                    const std::vector<int>& labels,
                                                    const ClusterCoherenceOptions& options) {
  MOSAIC_RETURN_IF_ERROR(CheckEmbeddingsAndLabels(embeddings, labels));
  ClusterCoherence result;
  result.num_samples = static_cast<int64_t>(embeddings.rows());
  StatusOr<double> silhouette = CosineSilhouette(embeddings, labels, options.silhouette);
  MOSAIC_RETURN_IF_ERROR(silhouette.status());
  result.silhouette = *silhouette;

  const std::vector<size_t> rows = LabelledRows(labels);
  result.num_labelled = static_cast<int64_t>(rows.size());
  std::vector<int> truth(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) truth[i] = labels[rows[i]];
  result.num_clusters = Densify(&truth);

  std::vector<double> unit;
  MOSAIC_RETURN_IF_ERROR(internal::GatherRows(embeddings, rows, true, "embeddings", &unit));
  KMeansOptions kmeans_options;
  kmeans_options.num_clusters = result.num_clusters;
  kmeans_options.num_restarts = options.kmeans_restarts;
  kmeans_options.max_iterations = options.kmeans_max_iterations;
  kmeans_options.seed = options.seed;
  kmeans_options.normalize = false;  // `unit` already is
  StatusOr<KMeansResult> kmeans =
      KMeans(MatrixView(unit, rows.size(), embeddings.cols()), kmeans_options);
  MOSAIC_RETURN_IF_ERROR(kmeans.status().WithContext("k-means"));
  result.kmeans_inertia = kmeans->inertia;
  result.kmeans_converged = kmeans->converged;

  StatusOr<double> nmi = NormalizedMutualInformation(truth, kmeans->assignments);
  MOSAIC_RETURN_IF_ERROR(nmi.status());
  result.kmeans_nmi = *nmi;
  StatusOr<double> ari = AdjustedRandIndex(truth, kmeans->assignments);
  MOSAIC_RETURN_IF_ERROR(ari.status());
  result.kmeans_ari = *ari;
  return result;
}

}  // namespace mosaic::metrics
