#include "mosaic/metrics/matrix_view.h"

namespace mosaic::metrics {

MatrixView::MatrixView(const float* data, size_t rows, size_t cols)
    : data_(data), type_(Type::kFloat), rows_(rows), cols_(cols), storage_size_(rows * cols) {}
MatrixView::MatrixView(const double* data, size_t rows, size_t cols)
    : data_(data), type_(Type::kDouble), rows_(rows), cols_(cols), storage_size_(rows * cols) {}
MatrixView::MatrixView(const uint8_t* data, size_t rows, size_t cols)
    : data_(data), type_(Type::kUInt8), rows_(rows), cols_(cols), storage_size_(rows * cols) {}

MatrixView::MatrixView(const std::vector<float>& values, size_t rows, size_t cols)
    : data_(values.data()),
      type_(Type::kFloat),
      rows_(rows),
      cols_(cols),
      storage_size_(values.size()) {}
MatrixView::MatrixView(const std::vector<double>& values, size_t rows, size_t cols)
    : data_(values.data()),
      type_(Type::kDouble),
      rows_(rows),
      cols_(cols),
      storage_size_(values.size()) {}
MatrixView::MatrixView(const std::vector<uint8_t>& values, size_t rows, size_t cols)
    : data_(values.data()),
      type_(Type::kUInt8),
      rows_(rows),
      cols_(cols),
      storage_size_(values.size()) {}

MatrixView::MatrixView(const std::vector<float>& values) : MatrixView(values, values.size(), 1) {}
MatrixView::MatrixView(const std::vector<double>& values) : MatrixView(values, values.size(), 1) {}
MatrixView::MatrixView(const std::vector<uint8_t>& values) : MatrixView(values, values.size(), 1) {}

Status MatrixView::CheckStorage(const std::string& what) const {
  const size_t needed = rows_ * cols_;
  if (cols_ != 0 && needed / cols_ != rows_) {
    return Status::InvalidArgument(what + ": [" + std::to_string(rows_) + ", " +
                                   std::to_string(cols_) + "] overflows size_t");
  }
  if (storage_size_ != needed) {
    return Status::InvalidArgument(what + ": [" + std::to_string(rows_) + ", " +
                                   std::to_string(cols_) + "] needs " + std::to_string(needed) +
                                   " values, the buffer has " + std::to_string(storage_size_));
  }
  if (needed > 0 && data_ == nullptr) {
    return Status::InvalidArgument(what + ": null data for a [" + std::to_string(rows_) + ", " +
                                   std::to_string(cols_) + "] matrix");
  }
  return Status::OK();
}

}  // namespace mosaic::metrics
