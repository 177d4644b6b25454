// Writing files so that readers only ever see a complete file.
// Torch-free. Thread-safe for distinct paths.
#ifndef MOSAIC_ATOMIC_FILE_H_
#define MOSAIC_ATOMIC_FILE_H_

#include <cstddef>
#include <string>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic {

// A temporary file next to a destination path. Write through Append(), then
// Commit() flushes, fsyncs and renames it over the destination. If Commit() is
// never reached (error, exception, cancellation) the destructor deletes the
// temporary file and the destination is untouched.
class MOSAIC_EXPORT AtomicFileWriter {
 public:
  // Creates "<dir>/.<name>.tmp-XXXXXX". Fails (IOError naming the directory)
  // if the directory is missing or not writable.
  static StatusOr<AtomicFileWriter> Create(const std::string& destination_path);

  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  // Appends bytes; IOError (e.g. disk full) names the destination.
  Status Append(const void* data, size_t size);
  // Makes the file visible at the destination path.
  Status Commit();

  const std::string& temp_path() const { return temp_path_; }

 private:
  AtomicFileWriter(std::string destination, std::string temp_path, int fd)
      : destination_(std::move(destination)), temp_path_(std::move(temp_path)), fd_(fd) {}
  void Discard();

  std::string destination_;
  std::string temp_path_;
  int fd_ = -1;
};

}  // namespace mosaic

#endif  // MOSAIC_ATOMIC_FILE_H_
