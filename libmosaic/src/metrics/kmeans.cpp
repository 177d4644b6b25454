#include "mosaic/metrics/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>

#include "metrics/checks.h"
#include "metrics/rng.h"

namespace mosaic::metrics {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The points, row-major [n, d] doubles.
struct PointSet {
  std::vector<double> values;
  size_t n = 0;
  size_t d = 0;
  const double* Row(size_t i) const { return values.data() + i * d; }
};

double SquaredDistance(const double* a, const double* b, size_t d) {
  double sum = 0.0;
  for (size_t j = 0; j < d; ++j) {
    const double diff = a[j] - b[j];
    sum += diff * diff;
  }
  return sum;
}

// Greedy k-means++ (see kmeans.h): fills `centroids` ([k, d]).
void InitialiseCentroids(const PointSet& points, int k, internal::Rng* rng,
                         std::vector<double>* centroids) {
  const size_t n = points.n;
  const size_t d = points.d;
  centroids->assign(static_cast<size_t>(k) * d, 0.0);
  const int num_trials = 2 + static_cast<int>(std::floor(std::log(static_cast<double>(k))));

  size_t chosen = static_cast<size_t>(rng->UniformIndex(n));
  std::copy_n(points.Row(chosen), d, centroids->begin());
  std::vector<double> closest(n);
  for (size_t i = 0; i < n; ++i) closest[i] = SquaredDistance(points.Row(i), points.Row(chosen), d);

  std::vector<double> cumulative(n);
  std::vector<double> candidate_closest(n);
  std::vector<double> best_closest(n);
  for (int c = 1; c < k; ++c) {
    std::partial_sum(closest.begin(), closest.end(), cumulative.begin());
    const double potential = cumulative.back();
    double best_potential = kInfinity;
    size_t best_candidate = 0;
    for (int trial = 0; trial < num_trials; ++trial) {
      size_t candidate;
      if (potential > 0.0) {
        // The first point whose cumulative weight exceeds r: points of weight
        // 0 (the centres already chosen) are never drawn.
        const double r = rng->Uniform() * potential;
        candidate = static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), r) -
                                        cumulative.begin());
        candidate = std::min(candidate, n - 1);
      } else {
        candidate = static_cast<size_t>(rng->UniformIndex(n));
      }
      double candidate_potential = 0.0;
      for (size_t i = 0; i < n; ++i) {
        candidate_closest[i] =
            std::min(closest[i], SquaredDistance(points.Row(i), points.Row(candidate), d));
        candidate_potential += candidate_closest[i];
      }
      if (candidate_potential < best_potential) {
        best_potential = candidate_potential;
        best_candidate = candidate;
        best_closest.swap(candidate_closest);
      }
    }
    closest.swap(best_closest);
    std::copy_n(points.Row(best_candidate), d, centroids->begin() + static_cast<size_t>(c) * d);
  }
}

// Assigns every point to its nearest centroid (on a tie: the point's current
// cluster if it is among the nearest, else the lowest index), storing the
// squared distance; returns how many assignments changed.
size_t Assign(const PointSet& points, const std::vector<double>& centroids, int k,
              std::vector<int>* assignments, std::vector<double>* distances) {
  size_t changed = 0;
  for (size_t i = 0; i < points.n; ++i) {
    const int current = (*assignments)[i];
    int best = 0;
    double best_distance = kInfinity;
    for (int c = 0; c < k; ++c) {
      const double distance = SquaredDistance(
          points.Row(i), centroids.data() + static_cast<size_t>(c) * points.d, points.d);
      if (distance < best_distance || (distance == best_distance && c == current)) {
        best_distance = distance;
        best = c;
      }
    }
    if ((*assignments)[i] != best) ++changed;
    (*assignments)[i] = best;
    (*distances)[i] = best_distance;
  }
  return changed;
}

// Gives every empty cluster the point farthest from its centroid among the
// clusters with more than one point (and makes that point its centroid).
// Returns how many points moved.
size_t RelocateEmptyClusters(const PointSet& points, int k, std::vector<int>* assignments,
                             std::vector<double>* distances, std::vector<double>* centroids) {
  std::vector<size_t> counts(static_cast<size_t>(k), 0);
  for (int cluster : *assignments) ++counts[static_cast<size_t>(cluster)];
  size_t moved = 0;
  for (int c = 0; c < k; ++c) {
    if (counts[static_cast<size_t>(c)] > 0) continue;
    size_t farthest = points.n;
    for (size_t i = 0; i < points.n; ++i) {
      if (counts[static_cast<size_t>((*assignments)[i])] < 2) continue;
      if (farthest == points.n || (*distances)[i] > (*distances)[farthest]) farthest = i;
    }
    if (farthest == points.n) break;  // cannot happen while k <= n
    --counts[static_cast<size_t>((*assignments)[farthest])];
    ++counts[static_cast<size_t>(c)];
    (*assignments)[farthest] = c;
    (*distances)[farthest] = 0.0;
    std::copy_n(points.Row(farthest), points.d,
                centroids->begin() + static_cast<size_t>(c) * points.d);
    ++moved;
  }
  return moved;
}

// Moves every centroid to the mean of its points. REQUIRES: no empty cluster.
void UpdateCentroids(const PointSet& points, int k, const std::vector<int>& assignments,
                     std::vector<double>* centroids) {
  const size_t d = points.d;
  std::vector<size_t> counts(static_cast<size_t>(k), 0);
  std::fill(centroids->begin(), centroids->end(), 0.0);
  for (size_t i = 0; i < points.n; ++i) {
    const size_t c = static_cast<size_t>(assignments[i]);
    ++counts[c];
    const double* row = points.Row(i);
    double* centroid = centroids->data() + c * d;
    for (size_t j = 0; j < d; ++j) centroid[j] += row[j];
  }
  for (size_t c = 0; c < static_cast<size_t>(k); ++c) {
    if (counts[c] == 0) continue;
    double* centroid = centroids->data() + c * d;
    for (size_t j = 0; j < d; ++j) centroid[j] /= static_cast<double>(counts[c]);
  }
}

KMeansResult RunOnce(const PointSet& points, const KMeansOptions& options, internal::Rng* rng) {
  const int k = options.num_clusters;
  KMeansResult result;
  InitialiseCentroids(points, k, rng, &result.centroids);
  result.assignments.assign(points.n, -1);
  std::vector<double> distances(points.n);
  Assign(points, result.centroids, k, &result.assignments, &distances);
  RelocateEmptyClusters(points, k, &result.assignments, &distances, &result.centroids);
  while (result.iterations < options.max_iterations) {
    ++result.iterations;
    UpdateCentroids(points, k, result.assignments, &result.centroids);
    size_t changed = Assign(points, result.centroids, k, &result.assignments, &distances);
    changed += RelocateEmptyClusters(points, k, &result.assignments, &distances, &result.centroids);
    if (changed == 0) {
      result.converged = true;
      break;
    }
  }
  result.inertia = std::accumulate(distances.begin(), distances.end(), 0.0);
  return result;
}

}  // namespace

StatusOr<KMeansResult> KMeans(const MatrixView& points, const KMeansOptions& options) {
  MOSAIC_RETURN_IF_ERROR(internal::CheckNonEmpty(points, "points"));
  const size_t n = points.rows();
  if (options.num_clusters < 1 || static_cast<size_t>(options.num_clusters) > n) {
    return Status::InvalidArgument("num_clusters: expected 1.." + std::to_string(n) +
                                   " (the number of points), got " +
                                   std::to_string(options.num_clusters));
  }
  if (options.num_restarts < 1) {
    return Status::InvalidArgument("num_restarts: expected >= 1, got " +
                                   std::to_string(options.num_restarts));
  }
  if (options.max_iterations < 1) {
    return Status::InvalidArgument("max_iterations: expected >= 1, got " +
                                   std::to_string(options.max_iterations));
  }
  PointSet point_set;
  point_set.n = n;
  point_set.d = points.cols();
  std::vector<size_t> all_rows(n);
  std::iota(all_rows.begin(), all_rows.end(), size_t{0});
  MOSAIC_RETURN_IF_ERROR(
      internal::GatherRows(points, all_rows, options.normalize, "points", &point_set.values));

  KMeansResult best;
  for (int restart = 0; restart < options.num_restarts; ++restart) {
    internal::Rng rng(internal::MixSeed(options.seed, static_cast<uint64_t>(restart)));
    KMeansResult run = RunOnce(point_set, options, &rng);
    if (restart == 0 || run.inertia < best.inertia) best = std::move(run);
  }
  return best;
}

}  // namespace mosaic::metrics
