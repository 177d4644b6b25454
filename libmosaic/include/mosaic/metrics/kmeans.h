// Deterministic k-means for clustering embeddings. Torch-free.
//
// The algorithm, fully specified so that a seed gives the same clusters on
// every platform (no std:: distributions are used):
//   1. When KMeansOptions::normalize is set (the default) every point is first
//      scaled to unit L2 norm, so squared Euclidean distance becomes
//      2 - 2 cos: clustering by cosine similarity. Centroids are plain means
//      (not re-projected onto the sphere), i.e. "spherical-ish" k-means, the
//      usual way of clustering contrastive embeddings.
//   2. Each restart seeds its own xoshiro256** generator from (seed, restart)
//      and initialises with greedy k-means++ (as scikit-learn does): the first
//      centre is a uniformly drawn point; each further centre is the best, by
//      total squared distance, of 2 + floor(ln k) candidates drawn with
//      probability proportional to their squared distance to the nearest
//      centre chosen so far (uniformly if all those distances are 0).
//   3. Lloyd iterations: assign every point to its nearest centre (ties keep
//      the point's current cluster, else go to the lowest cluster index),
//      move each centre to the mean of its points;
//      stop when no assignment changes or after max_iterations. A cluster that
//      becomes empty takes the point farthest from its centre (among clusters
//      with more than one point), as scikit-learn relocates empty clusters.
//   4. Of all restarts the one with the smallest inertia wins (the earliest on
//      ties).
//
// Thread-safety: a pure function of its arguments.
#ifndef MOSAIC_METRICS_KMEANS_H_
#define MOSAIC_METRICS_KMEANS_H_

#include <cstdint>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::metrics {

struct KMeansOptions {
  // k, the number of clusters: 1 <= k <= number of points.
  int num_clusters = 2;
  // Independent k-means++ initialisations; the best result is kept (>= 1).
  int num_restarts = 10;
  // Lloyd iterations per restart at most (>= 1).
  int max_iterations = 300;
  // Seeds every restart; the same seed and data give the same result.
  uint64_t seed = 0;
  // Scale every point to unit L2 norm before clustering (cosine geometry). A
  // point of norm 0 is then InvalidArgument.
  bool normalize = true;
};

struct KMeansResult {
  // [N] cluster of each point, in [0, k).
  std::vector<int> assignments;
  // [k, D] row-major centroids, in the (normalised, if asked) point space.
  std::vector<double> centroids;
  // Sum over points of the squared Euclidean distance to their centroid.
  double inertia = 0.0;
  // Lloyd iterations the winning restart ran, and whether it stopped because
  // no assignment changed (rather than at max_iterations).
  int iterations = 0;
  bool converged = false;
};

// Clusters the rows of the [N, D] `points`.
//
// Errors (InvalidArgument): a buffer of the wrong size, N == 0 or D == 0, a
// non-finite value (naming the row and column), a zero row when normalize is
// set, num_clusters outside [1, N], num_restarts or max_iterations < 1.
// Complexity: O(restarts * (iterations + log k) * N * k * D) time; O(N * D)
// extra memory for the normalised copy, O(N * log k) during initialisation.
MOSAIC_EXPORT StatusOr<KMeansResult> KMeans(const MatrixView& points, const KMeansOptions& options);

}  // namespace mosaic::metrics

#endif  // MOSAIC_METRICS_KMEANS_H_
