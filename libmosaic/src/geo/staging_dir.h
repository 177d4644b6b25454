// All-or-nothing output folders: write into a hidden sibling folder, then
// rename it into place.
#ifndef MOSAIC_GEO_STAGING_DIR_H_
#define MOSAIC_GEO_STAGING_DIR_H_

#include <string>

#include "mosaic/status.h"

namespace mosaic::geo::internal {

class StagingDir {
 public:
  // Creates "<parent>/.<name>.tmp-XXXXXX" for the final folder `final_dir`,
  // creating the parent if needed. InvalidArgument if `final_dir` exists.
  static StatusOr<StagingDir> Create(const std::string& final_dir);

  StagingDir(StagingDir&& other) noexcept;
  StagingDir& operator=(StagingDir&&) = delete;
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  // Removes the staging folder and its content unless committed.
  ~StagingDir();

  // Where to write now.
  const std::string& path() const { return path_; }
  // Renames the staging folder to the final folder.
  Status Commit();

 private:
  StagingDir(std::string final_dir, std::string path)
      : final_dir_(std::move(final_dir)), path_(std::move(path)) {}
  std::string final_dir_;
  std::string path_;
};

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_STAGING_DIR_H_
