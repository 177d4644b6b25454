#include "metrics/checks.h"

#include <cmath>
#include <sstream>

namespace mosaic::metrics::internal {

std::string ShapeString(const MatrixView& matrix) {
  return "[" + std::to_string(matrix.rows()) + ", " + std::to_string(matrix.cols()) + "]";
}

std::string ElementName(const std::string& what, const MatrixView& matrix, size_t index) {
  return what + "[" + std::to_string(index / matrix.cols()) + ", " +
         std::to_string(index % matrix.cols()) + "]";
}

Status CheckNonEmpty(const MatrixView& matrix, const std::string& what) {
  MOSAIC_RETURN_IF_ERROR(matrix.CheckStorage(what));
  if (matrix.rows() == 0 || matrix.cols() == 0) {
    return Status::InvalidArgument(what + ": expected at least one row and one column, got " +
                                   ShapeString(matrix));
  }
  return Status::OK();
}

Status CheckFinite(const MatrixView& matrix, const std::string& what) {
  const size_t size = matrix.rows() * matrix.cols();
  for (size_t i = 0; i < size; ++i) {
    const double value = matrix.At(i);
    if (!std::isfinite(value)) {
      return Status::InvalidArgument(ElementName(what, matrix, i) + " is " +
                                     (std::isnan(value) ? "NaN" : "infinite") +
                                     "; expected a finite value");
    }
  }
  return Status::OK();
}

Status CheckBinary(const MatrixView& matrix, const std::string& what) {
  const size_t size = matrix.rows() * matrix.cols();
  for (size_t i = 0; i < size; ++i) {
    const double value = matrix.At(i);
    if (value != 0.0 && value != 1.0) {
      std::ostringstream text;
      text << ElementName(what, matrix, i) << " is " << value << "; expected 0 or 1 (multi-hot)";
      return Status::InvalidArgument(text.str());
    }
  }
  return Status::OK();
}

Status CheckScoresAndTargets(const MatrixView& scores, const MatrixView& targets,
                             const std::string& scores_name, const std::string& targets_name) {
  MOSAIC_RETURN_IF_ERROR(CheckNonEmpty(scores, scores_name));
  MOSAIC_RETURN_IF_ERROR(CheckNonEmpty(targets, targets_name));
  if (scores.rows() != targets.rows() || scores.cols() != targets.cols()) {
    return Status::InvalidArgument(scores_name + " " + ShapeString(scores) + " and " +
                                   targets_name + " " + ShapeString(targets) +
                                   " must have the same shape");
  }
  MOSAIC_RETURN_IF_ERROR(CheckFinite(scores, scores_name));
  MOSAIC_RETURN_IF_ERROR(CheckBinary(targets, targets_name));
  return Status::OK();
}

Status GatherRows(const MatrixView& matrix, const std::vector<size_t>& rows, bool normalize,
                  const std::string& what, std::vector<double>* out) {
  const size_t num_cols = matrix.cols();
  out->resize(rows.size() * num_cols);
  for (size_t i = 0; i < rows.size(); ++i) {
    double* row = out->data() + i * num_cols;
    double squared_norm = 0.0;
    for (size_t j = 0; j < num_cols; ++j) {
      const size_t index = rows[i] * num_cols + j;
      row[j] = matrix.At(index);
      if (!std::isfinite(row[j])) {
        return Status::InvalidArgument(ElementName(what, matrix, index) + " is " +
                                       (std::isnan(row[j]) ? "NaN" : "infinite") +
                                       "; expected a finite value");
      }
      squared_norm += row[j] * row[j];
    }
    if (!normalize) continue;
    const double norm = std::sqrt(squared_norm);
    if (!(norm > 0.0) || !std::isfinite(norm)) {
      return Status::InvalidArgument(what + " row " + std::to_string(rows[i]) +
                                     " has norm 0 (or overflows); the cosine geometry needs "
                                     "non-zero rows");
    }
    for (size_t j = 0; j < num_cols; ++j) row[j] /= norm;
  }
  return Status::OK();
}

}  // namespace mosaic::metrics::internal
