#include "mosaic/atomic_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace mosaic {
namespace {

Status ErrnoStatus(const std::string& context, int err) {
  return Status::IOError(context + ": " + std::strerror(err));
}

}  // namespace

StatusOr<AtomicFileWriter> AtomicFileWriter::Create(const std::string& destination_path) {
  namespace fs = std::filesystem;
  const fs::path destination(destination_path);
  fs::path directory = destination.parent_path();
  if (directory.empty()) directory = ".";
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    return Status::IOError("cannot write '" + destination_path + "': directory '" +
                           directory.string() + "' does not exist");
  }
  if (fs::is_directory(destination, ec)) {
    return Status::InvalidArgument("cannot write '" + destination_path + "': it is a directory");
  }
  std::string pattern =
      (directory / ("." + destination.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = mkstemp(buffer.data());
  if (fd < 0) {
    return ErrnoStatus(
        "cannot create a file in '" + directory.string() + "' for '" + destination_path + "'",
        errno);
  }
  // mkstemp creates 0600; give the final file the usual umask-based mode.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  return AtomicFileWriter(destination_path, std::string(buffer.data()), fd);
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : destination_(std::move(other.destination_)),
      temp_path_(std::move(other.temp_path_)),
      fd_(other.fd_) {
  other.fd_ = -1;
  other.temp_path_.clear();
}

AtomicFileWriter& AtomicFileWriter::operator=(AtomicFileWriter&& other) noexcept {
  if (this != &other) {
    Discard();
    destination_ = std::move(other.destination_);
    temp_path_ = std::move(other.temp_path_);
    fd_ = other.fd_;
    other.fd_ = -1;
    other.temp_path_.clear();
  }
  return *this;
}

AtomicFileWriter::~AtomicFileWriter() { Discard(); }

void AtomicFileWriter::Discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

Status AtomicFileWriter::Append(const void* data, size_t size) {
  if (fd_ < 0) return Status::Internal("AtomicFileWriter used after Commit or failure");
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd_, bytes, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      Discard();
      return ErrnoStatus("writing '" + destination_ + "' failed", err);
    }
    bytes += written;
    size -= static_cast<size_t>(written);
  }
  return Status::OK();
}

Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return Status::Internal("AtomicFileWriter committed twice or after failure");
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    const int err = errno;
    fd_ = -1;
    Discard();
    return ErrnoStatus("writing '" + destination_ + "' failed", err);
  }
  fd_ = -1;
  if (std::rename(temp_path_.c_str(), destination_.c_str()) != 0) {
    const int err = errno;
    Discard();
    return ErrnoStatus("cannot move the finished file into place at '" + destination_ + "'", err);
  }
  temp_path_.clear();
  return Status::OK();
}

}  // namespace mosaic
