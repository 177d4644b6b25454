// Private: input validation shared by the metrics (not installed). Every
// check returns InvalidArgument naming the argument and, for a bad value, the
// element ("scores[3, 1] is NaN").
#ifndef MOSAIC_SRC_METRICS_CHECKS_H_
#define MOSAIC_SRC_METRICS_CHECKS_H_

#include <string>
#include <vector>

#include "mosaic/metrics/matrix_view.h"
#include "mosaic/status.h"

namespace mosaic::metrics::internal {

// "name[row, col]".
std::string ElementName(const std::string& what, const MatrixView& matrix, size_t index);

// The storage matches the shape and the matrix has at least one row and one
// column.
Status CheckNonEmpty(const MatrixView& matrix, const std::string& what);

// Every value is finite.
Status CheckFinite(const MatrixView& matrix, const std::string& what);

// Every value is exactly 0 or 1.
Status CheckBinary(const MatrixView& matrix, const std::string& what);

// CheckNonEmpty on both, equal shapes, finite scores and binary targets.
Status CheckScoresAndTargets(const MatrixView& scores, const MatrixView& targets,
                             const std::string& scores_name = "scores",
                             const std::string& targets_name = "targets");

// Copies the rows `rows` of `matrix` (in that order) into `out` as a
// row-major [rows.size(), cols] double array, each scaled to unit L2 norm when
// `normalize` is set. Fails on a non-finite value or, with `normalize`, a zero
// row, naming the row's index in `matrix`.
// REQUIRES: matrix.CheckStorage() is OK and every index < matrix.rows().
Status GatherRows(const MatrixView& matrix, const std::vector<size_t>& rows, bool normalize,
                  const std::string& what, std::vector<double>* out);

// "[rows, cols]".
std::string ShapeString(const MatrixView& matrix);

}  // namespace mosaic::metrics::internal

#endif  // MOSAIC_SRC_METRICS_CHECKS_H_
