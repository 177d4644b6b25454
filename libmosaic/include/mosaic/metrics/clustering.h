// Cluster coherence of embeddings against (dominant) class labels: cosine
// silhouette, normalised mutual information, adjusted Rand index, and the
// k-means evaluation that combines them. Torch-free.
//
// Labels are one int per sample (see DominantLabels). Every function here
// treats a negative label (kNoLabel = -1) as "unlabelled" and leaves that
// sample out entirely; the remaining label values are arbitrary ids (only
// equality matters, so renaming the ids never changes a result).
//
// Embeddings are row-major [N, D] float or double arrays; every value must be
// finite and, for the cosine metrics, every used row non-zero (otherwise
// InvalidArgument naming the row).
//
// Thread-safety: all functions are pure.
#ifndef MOSAIC_METRICS_CLUSTERING_H_
#define MOSAIC_METRICS_CLUSTERING_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::metrics {

struct SilhouetteOptions {
  // When > 0 and fewer than the labelled samples, the silhouette is computed
  // on a random subset of this many of them (scikit-learn's sample_size),
  // drawn with `seed`; the cost is quadratic in the samples used.
  size_t max_samples = 0;
  uint64_t seed = 0;
};

// Mean silhouette coefficient with the cosine distance d(x, y) = 1 - cos(x, y)
// (clipped to [0, 2]), as scikit-learn's silhouette_score(X, labels,
// metric="cosine"): for sample i in cluster A, a = mean distance to the other
// members of A, b = smallest mean distance to the members of another cluster,
// s = (b - a) / max(a, b); s = 0 for a sample alone in its cluster (and when
// a = b = 0). The result, in [-1, 1], is the mean of s over the samples used.
//
// Errors (InvalidArgument): embeddings.rows() != labels.size(), a buffer of
// the wrong size, D == 0, a non-finite value or zero row among the labelled
// samples, or a number of clusters outside [2, n - 1] where n is the number
// of samples used.
// Complexity: O(n^2 D) time, O(n (D + clusters)) memory.
MOSAIC_EXPORT StatusOr<double> CosineSilhouette(const MatrixView& embeddings,
                                                const std::vector<int>& labels,
                                                const SilhouetteOptions& options = {});

// Normalised mutual information with arithmetic normalisation, as
// scikit-learn's normalized_mutual_info_score (average_method="arithmetic"):
// NMI = I(U; V) / ((H(U) + H(V)) / 2) with natural logarithms; 1 when both
// labelings have a single cluster, 0 when I = 0 otherwise. Symmetric; in
// [0, 1].
//
// Errors (InvalidArgument): sizes differ, or no sample is labelled (>= 0) in
// both vectors. Samples negative in either vector are left out.
MOSAIC_EXPORT StatusOr<double> NormalizedMutualInformation(const std::vector<int>& labels_true,
                                                           const std::vector<int>& labels_pred);

// Adjusted Rand index, as scikit-learn's adjusted_rand_score: the Rand index
// corrected for chance from the pair-confusion counts; 1 for identical
// partitions (also when both put every sample in one cluster, or each in its
// own), about 0 for independent ones, can be negative. Symmetric.
//
// Errors: as NormalizedMutualInformation.
MOSAIC_EXPORT StatusOr<double> AdjustedRandIndex(const std::vector<int>& labels_true,
                                                 const std::vector<int>& labels_pred);

struct ClusterCoherenceOptions {
  // k-means settings (see kmeans.h); k is the number of distinct labels and
  // the embeddings are always L2-normalised.
  int kmeans_restarts = 10;
  int kmeans_max_iterations = 300;
  uint64_t seed = 0;
  // Passed to CosineSilhouette.
  SilhouetteOptions silhouette;
};

struct ClusterCoherence {
  int64_t num_samples = 0;   // rows of the embeddings
  int64_t num_labelled = 0;  // samples with a label >= 0, the ones evaluated
  int num_clusters = 0;      // distinct labels = k of k-means
  double silhouette = 0.0;   // CosineSilhouette of the label partition
  double kmeans_nmi = 0.0;   // NMI of the k-means clusters vs the labels
  double kmeans_ari = 0.0;   // ARI of the k-means clusters vs the labels
  double kmeans_inertia = 0.0;
  bool kmeans_converged = false;
};

// How well the embeddings group by label: the cosine silhouette of the label
// partition, and NMI / ARI between the labels and k-means clusters of the
// L2-normalised embeddings with k = number of distinct labels. Unlabelled
// (negative) samples are left out of everything.
//
// Errors (InvalidArgument): as CosineSilhouette (in particular fewer than 2
// distinct labels, or not more labelled samples than labels), and as KMeans.
MOSAIC_EXPORT StatusOr<ClusterCoherence> EvaluateClusterCoherence(
    const MatrixView& embeddings, const std::vector<int>& labels,
    const ClusterCoherenceOptions& options = {});

}  // namespace mosaic::metrics

#endif  // MOSAIC_METRICS_CLUSTERING_H_
