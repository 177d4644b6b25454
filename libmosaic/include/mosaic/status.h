// Status and StatusOr<T>: how every function that front ends call reports errors.
//
// A Status is either OK or carries a code and one human-readable message that
// names the file or parameter at fault and what was expected, e.g.
//   Status::InvalidArgument("--stride: expected 1..120 pixels, got 0").
// No torch or GDAL types appear here: this header is part of the torch-free API.
#ifndef MOSAIC_STATUS_H_
#define MOSAIC_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

#include "mosaic/export.h"

namespace mosaic {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // a caller-supplied value is malformed or out of range
  kNotFound,         // a file, band, class or key does not exist
  kCorruption,       // a file exists but its content is damaged or foreign
  kIOError,          // the operating system refused a read or write
  kUnsupported,      // well-formed input that this build cannot handle (e.g. newer format)
  kCancelled,        // the user asked to stop
  kInternal,         // a bug or an unexpected error from a dependency
};

class MOSAIC_EXPORT Status {
 public:
  // An OK status.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK", or "<Code name>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>" (OK stays OK).
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

MOSAIC_EXPORT const char* StatusCodeName(StatusCode code);

// Either a value of type T or a non-OK Status.
// REQUIRES: a StatusOr is never constructed from an OK Status.
template <typename T>
class StatusOr {
 public:
  StatusOr(const Status& status) : status_(status) {  // NOLINT: implicit by design
    assert(!status_.ok() && "StatusOr constructed from an OK status");
    if (status_.ok()) status_ = Status::Internal("StatusOr constructed from an OK status");
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace mosaic

// Returns early from the enclosing function if `expr` (a Status) is not OK.
#define MOSAIC_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::mosaic::Status _mosaic_status = (expr);        \
    if (!_mosaic_status.ok()) return _mosaic_status; \
  } while (false)

#endif  // MOSAIC_STATUS_H_
