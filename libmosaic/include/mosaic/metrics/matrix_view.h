// MatrixView: the read-only, non-owning view of a row-major [rows, cols]
// array that every function in mosaic::metrics takes (scores, multi-hot
// targets, embeddings). Torch-free.
//
// A view holds float, double or uint8_t values (what model outputs, embeddings
// and PatchRecord::labels come as) and reads every element as a double, so
// scores can be float and targets uint8_t in the same call. The data must
// outlive the view; the view never copies it.
//
// Shape mistakes are not caught when a view is made but by the function that
// consumes it (CheckStorage below): those return InvalidArgument naming the
// argument, e.g. "scores: [4, 3] needs 12 values, the buffer has 11".
//
// Thread-safety: a view is a plain value; concurrent reads are safe.
#ifndef MOSAIC_METRICS_MATRIX_VIEW_H_
#define MOSAIC_METRICS_MATRIX_VIEW_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::metrics {

class MOSAIC_EXPORT MatrixView {
 public:
  // An empty [0, 0] view; functions that take an optional matrix read this as
  // "not given".
  MatrixView() = default;

  // `data` points at rows * cols values in row-major order.
  MatrixView(const float* data, size_t rows, size_t cols);
  MatrixView(const double* data, size_t rows, size_t cols);
  MatrixView(const uint8_t* data, size_t rows, size_t cols);

  // A vector holding a [rows, cols] array. A vector whose size is not
  // rows * cols makes the consuming function fail with InvalidArgument.
  MatrixView(const std::vector<float>& values, size_t rows, size_t cols);
  MatrixView(const std::vector<double>& values, size_t rows, size_t cols);
  MatrixView(const std::vector<uint8_t>& values, size_t rows, size_t cols);

  // A vector as one column: [values.size(), 1] (a single binary problem, or a
  // flattened multi-label one).
  explicit MatrixView(const std::vector<float>& values);
  explicit MatrixView(const std::vector<double>& values);
  explicit MatrixView(const std::vector<uint8_t>& values);

  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }
  bool empty() const { return rows_ == 0 || cols_ == 0; }

  // Element (row, col) as a double. REQUIRES: row < rows(), col < cols() and
  // CheckStorage() is OK.
  double operator()(size_t row, size_t col) const { return At(row * cols_ + col); }

  // Element `index` of the row-major buffer as a double. REQUIRES: index <
  // rows() * cols() and CheckStorage() is OK.
  double At(size_t index) const {
    switch (type_) {
      case Type::kFloat:
        return static_cast<const float*>(data_)[index];
      case Type::kUInt8:
        return static_cast<const uint8_t*>(data_)[index];
      case Type::kDouble:
        break;
    }
    return static_cast<const double*>(data_)[index];
  }

  // OK when the storage behind the view holds exactly rows * cols values (and
  // the pointer is not null unless the view is empty); otherwise
  // InvalidArgument "<what>: ..." describing the mismatch.
  Status CheckStorage(const std::string& what) const;

 private:
  enum class Type { kFloat, kDouble, kUInt8 };

  const void* data_ = nullptr;
  Type type_ = Type::kDouble;
  size_t rows_ = 0;
  size_t cols_ = 0;
  size_t storage_size_ = 0;  // values the storage holds
};

}  // namespace mosaic::metrics

#endif  // MOSAIC_METRICS_MATRIX_VIEW_H_
