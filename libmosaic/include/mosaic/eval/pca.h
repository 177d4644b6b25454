// Principal component analysis to two dimensions, for plotting embeddings.
// Torch-free and deterministic: the same input gives the same projection on
// every platform (no random initialisation).
//
// Method: the D x D covariance of the mean-centred points (divided by N - 1,
// N when N == 1) is diagonalised with cyclic Jacobi rotations (to 1e-12 of
// its norm or 100 sweeps); the eigenvectors of the two largest eigenvalues
// are the components. Each component's sign is fixed so that its entry of
// largest magnitude is positive (the lowest index wins ties).
// Cost: O(N D^2) for the covariance plus O(D^3) per sweep; fine for D up to a
// few hundred.
//
// Thread-safety: a pure function.
#ifndef MOSAIC_EVAL_PCA_H_
#define MOSAIC_EVAL_PCA_H_

#include <vector>

#include "mosaic/export.h"
#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::eval {

struct Pca2d {
  std::vector<double> mean;                // [D]
  std::vector<double> components;          // [2, D] row-major, unit norm, orthogonal
  std::vector<double> explained_variance;  // [2] eigenvalues, descending
  double total_variance = 0.0;             // trace of the covariance
  std::vector<double> projected;           // [N, 2] (x - mean) . component_k
};

// Projects the rows of the [N, D] `points` onto their two first principal
// components. With D == 1 the second component is all zero (and so is its
// coordinate).
// Errors (InvalidArgument): N == 0, D == 0, a buffer of the wrong size, a
// non-finite value (naming the row and column).
MOSAIC_EXPORT StatusOr<Pca2d> ProjectPca2d(const metrics::MatrixView& points);

}  // namespace mosaic::eval

#endif  // MOSAIC_EVAL_PCA_H_
