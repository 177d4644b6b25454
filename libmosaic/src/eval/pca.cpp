#include "mosaic/eval/pca.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mosaic::eval {
namespace {

// Eigen-decomposition of the symmetric d x d matrix `a` (row-major, destroyed)
// by cyclic Jacobi rotations: eigenvalues on return in `values`, eigenvectors
// as the columns of `vectors`.
void JacobiEigen(std::vector<double>& a, size_t d, std::vector<double>* values,
                 std::vector<double>* vectors) {
  std::vector<double>& v = *vectors;
  v.assign(d * d, 0.0);
  for (size_t i = 0; i < d; ++i) v[i * d + i] = 1.0;
  double norm = 0.0;
  for (double x : a) norm += x * x;
  const double tolerance = 1e-24 * norm;  // (1e-12 relative)^2
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (size_t p = 0; p < d; ++p) {
      for (size_t q = p + 1; q < d; ++q) off += a[p * d + q] * a[p * d + q];
    }
    if (off <= tolerance) break;
    for (size_t p = 0; p < d; ++p) {
      for (size_t q = p + 1; q < d; ++q) {
        const double apq = a[p * d + q];
        if (apq == 0.0) continue;
        const double theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
        const double t =
            (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (size_t k = 0; k < d; ++k) {  // columns p, q
          const double akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (size_t k = 0; k < d; ++k) {  // rows p, q
          const double apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (size_t k = 0; k < d; ++k) {
          const double vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  values->resize(d);
  for (size_t i = 0; i < d; ++i) (*values)[i] = a[i * d + i];
}

}  // namespace

StatusOr<Pca2d> ProjectPca2d(const metrics::MatrixView& points) {
  MOSAIC_RETURN_IF_ERROR(points.CheckStorage("points"));
  const size_t n = points.rows(), d = points.cols();
  if (n == 0 || d == 0)
    return Status::InvalidArgument("points: empty [" + std::to_string(n) + ", " +
                                   std::to_string(d) + "] matrix");
  Pca2d pca;
  pca.mean.assign(d, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) {
      const double x = points(i, j);
      if (!std::isfinite(x)) {
        return Status::InvalidArgument("points: non-finite value at row " + std::to_string(i) +
                                       ", column " + std::to_string(j));
      }
      pca.mean[j] += x;
    }
  }
  for (double& m : pca.mean) m /= static_cast<double>(n);
  std::vector<double> cov(d * d, 0.0), row(d);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) row[j] = points(i, j) - pca.mean[j];
    for (size_t p = 0; p < d; ++p) {
      for (size_t q = p; q < d; ++q) cov[p * d + q] += row[p] * row[q];
    }
  }
  const double denom = n > 1 ? static_cast<double>(n - 1) : 1.0;
  for (size_t p = 0; p < d; ++p) {
    for (size_t q = p; q < d; ++q) {
      cov[p * d + q] /= denom;
      cov[q * d + p] = cov[p * d + q];
    }
    pca.total_variance += cov[p * d + p];
  }
  std::vector<double> values, vectors;
  JacobiEigen(cov, d, &values, &vectors);
  std::vector<size_t> order(d);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] > values[b]; });
  pca.components.assign(2 * d, 0.0);
  pca.explained_variance.assign(2, 0.0);
  for (size_t k = 0; k < std::min<size_t>(2, d); ++k) {
    const size_t col = order[k];
    size_t largest = 0;
    for (size_t j = 0; j < d; ++j) {
      if (std::fabs(vectors[j * d + col]) > std::fabs(vectors[largest * d + col])) largest = j;
    }
    const double sign = vectors[largest * d + col] < 0 ? -1.0 : 1.0;
    for (size_t j = 0; j < d; ++j) pca.components[k * d + j] = sign * vectors[j * d + col];
    pca.explained_variance[k] = std::max(0.0, values[col]);
  }
  pca.projected.assign(2 * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < 2; ++k) {
      double dot = 0.0;
      for (size_t j = 0; j < d; ++j)
        dot += (points(i, j) - pca.mean[j]) * pca.components[k * d + j];
      pca.projected[i * 2 + k] = dot;
    }
  }
  return pca;
}

}  // namespace mosaic::eval
