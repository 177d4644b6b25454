#include "geo/staging_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace mosaic::geo::internal {

namespace fs = std::filesystem;

StatusOr<StagingDir> StagingDir::Create(const std::string& final_dir) {
  std::error_code ec;
  fs::path target = fs::path(final_dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "dir/" -> "dir"
  if (target.empty()) return Status::InvalidArgument("empty output folder name");
  if (fs::exists(target, ec)) {
    return Status::InvalidArgument(target.string() +
                                   ": already exists; writers only create new folders");
  }
  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, ec);
  if (ec) return Status::IOError(parent.string() + ": cannot create folder: " + ec.message());
  std::string pattern = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    return Status::IOError(parent.string() +
                           ": cannot create a staging folder: " + std::strerror(errno));
  }
  return StagingDir(target.string(), std::string(buffer.data()));
}

StagingDir::StagingDir(StagingDir&& other) noexcept
    : final_dir_(std::move(other.final_dir_)), path_(std::move(other.path_)) {
  other.path_.clear();
}

StagingDir::~StagingDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Status StagingDir::Commit() {
  if (path_.empty()) return Status::Internal("staging folder committed twice");
  if (std::rename(path_.c_str(), final_dir_.c_str()) != 0) {
    return Status::IOError("cannot move " + path_ + " to " + final_dir_ + ": " +
                           std::strerror(errno));
  }
  path_.clear();
  return Status::OK();
}

}  // namespace mosaic::geo::internal
